package tlsprobe

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/selfassess/selfassess/internal/input"
)

// maxPEMFile bounds --client-cert and --client-key: a certificate chain or
// key is kilobytes.
const maxPEMFile = 1 << 20

// ClientCertError is a problem with --client-cert or --client-key; Flag
// names the flag. Its message never holds key material.
type ClientCertError struct {
	Flag, File, Reason, Hint string
}

func (e *ClientCertError) Error() string { return e.Flag + " " + e.File + ": " + e.Reason }

// LoadClientCert reads the client certificate (PEM, leaf first) and its
// private key for mutual-TLS targets. The key comes from a file, never a
// flag value (which would show in ps and shell history), and that file
// must not be readable by other users, as ssh insists for its keys.
// A *ClientCertError comes wrapped in an *input.Problem: the user's fault.
func LoadClientCert(certFile, keyFile string) (*tls.Certificate, error) {
	c, err := loadClientCert(certFile, keyFile)
	if ce, ok := err.(*ClientCertError); ok {
		return nil, &input.Problem{Err: ce, Hint: ce.Hint}
	}
	return c, err
}

func loadClientCert(certFile, keyFile string) (*tls.Certificate, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "":
		return nil, &ClientCertError{Flag: "--client-key", File: keyFile, Reason: "needs --client-cert too"}
	case keyFile == "":
		return nil, &ClientCertError{Flag: "--client-cert", File: certFile, Reason: "needs --client-key too"}
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(keyFile)
		if err != nil {
			return nil, &ClientCertError{Flag: "--client-key", File: keyFile, Reason: oneLine(pathErr(err))}
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			return nil, &ClientCertError{Flag: "--client-key", File: keyFile,
				Reason: fmt.Sprintf("permissions %04o let other users read the private key", perm),
				Hint:   "run: chmod 600 " + keyFile}
		}
	}
	certPEM, err := readBounded(certFile)
	if err != nil {
		return nil, &ClientCertError{Flag: "--client-cert", File: certFile, Reason: err.Error()}
	}
	keyPEM, err := readBounded(keyFile)
	if err != nil {
		return nil, &ClientCertError{Flag: "--client-key", File: keyFile, Reason: err.Error()}
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// crypto/tls's messages name the problem, never the key's bytes
		return nil, &ClientCertError{Flag: "--client-cert", File: certFile, Reason: oneLine(err.Error()),
			Hint: "give the PEM certificate (leaf first) and its unencrypted PEM private key"}
	}
	return &c, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s", pathErr(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s", pathErr(err))
	}
	if len(b) > maxPEMFile {
		return nil, fmt.Errorf("larger than %d KiB; give a PEM file", maxPEMFile>>10)
	}
	return b, nil
}

// pathErr is err without the path, which the caller's message already names.
func pathErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
