package sourceprobe

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Planted secrets are built from pieces so that no scanner flags this
// repository itself.
var (
	plantedFincept  = "fk_user_" + "Hy8kL2mN9pQ1" + "zR4tV6wX"
	plantedAWS      = "AKIA" + "Z3MHQ7XJ" + "PLR5TW2N"
	plantedGitHub   = "ghp_" + "R8nK2vQ9xL4mT7yB3cW6" + "zH1pF5sD0gJ8aE2u"
	plantedPassword = "Pz9" + "vKq2" + "Lm8wXr4"
	plantedClient   = "cs_" + "9fQ2xLm7" + "Wv4Rz8Kp"
)

// Realistic file bodies: the shapes of a small payment integration, with
// the words (token, key, secret, password, http) that make scanners work
// hardest, but no secrets.
var goTemplate = `package %[1]s

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

// %[2]sClient talks to the payment provider's API.
type %[2]sClient struct {
	baseURL string
	apiKey  string
	http    *http.Client
}

// New%[2]sClient reads its API key from the environment.
func New%[2]sClient() *%[2]sClient {
	return &%[2]sClient{
		baseURL: "https://api.fincept.example/v1",
		apiKey:  os.Getenv("FINCEPT_API_KEY"),
		http:    &http.Client{Timeout: 10 * time.Second},
	}
}

func (c *%[2]sClient) get%[3]s(ctx context.Context, id string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/%[4]s/"+id, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-API-Key", c.apiKey)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%[4]s %%s: %%w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		log.Printf("%[4]s %%s: status %%d", id, resp.StatusCode)
		return nil, fmt.Errorf("%[4]s %%s: status %%d", id, resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// handle%[3]s serves one %[4]s; the session token comes from an HttpOnly cookie.
func handle%[3]s(c *%[2]sClient) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cookie, err := r.Cookie("session")
		if err != nil || cookie.Value == "" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		token := cookie.Value
		if len(token) < 16 {
			log.Printf("rejected a short session token (%%d bytes)", len(token))
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		v, err := c.get%[3]s(r.Context(), r.URL.Query().Get("id"))
		if err != nil {
			log.Printf("get %[4]s: %%v", err)
			http.Error(w, "operation failed", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
}
`

var jsTemplate = `// %[1]s.js — %[2]s view
import { api } from "./api";

const REFRESH_BUFFER = 5 * 60 * 1000;

export async function load%[2]s(id) {
  const res = await fetch("/api/%[3]s/" + encodeURIComponent(id), {
    credentials: "include",
    headers: { "Content-Type": "application/json" },
  });
  if (!res.ok) {
    console.error("load %[3]s failed", res.status);
    throw new Error("request failed");
  }
  return res.json();
}

export function shouldRefreshToken(tokenIssuedAt, ttl) {
  const elapsed = Date.now() - tokenIssuedAt;
  return elapsed > ttl - REFRESH_BUFFER;
}

export function render%[2]s(el, data) {
  const rows = data.items.map((item) =>
    "<tr><td>" + escape(item.name) + "</td><td>" + item.amount.toFixed(2) + "</td></tr>");
  el.innerHTML = "<table>" + rows.join("") + "</table>";
  localStorage.setItem("%[3]s-view", JSON.stringify({ sort: data.sort, page: data.page }));
}

function escape(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export async function submit%[2]s(form) {
  const body = new FormData(form);
  const res = await api.post("/api/%[3]s", body);
  console.log("submitted %[3]s", res.status);
  return res;
}
`

var pyTemplate = `"""%[1]s: %[2]s synchronisation with the provider."""
import logging
import os
import time

import requests

logger = logging.getLogger(__name__)

API_BASE = "https://api.finhub.example/v2"
API_KEY = os.getenv("FINHUB_API_KEY")


def fetch_%[3]s(session_id, page=1):
    """Fetch one page of %[3]s; the API key stays in a header."""
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
    resp = requests.get(f"{API_BASE}/%[3]s", params={"page": page}, headers=headers, timeout=10)
    if resp.status_code == 429:
        retry = int(resp.headers.get("Retry-After", "1"))
        logger.warning("rate limited, retrying in %%s s", retry)
        time.sleep(retry)
        return fetch_%[3]s(session_id, page)
    resp.raise_for_status()
    logger.info("fetched %[3]s page %%d for session %%s", page, session_id[:6] + "***")
    return resp.json()


def sync_all():
    page, total = 1, 0
    while True:
        data = fetch_%[3]s("batch", page)
        total += len(data["items"])
        if not data.get("next"):
            break
        page += 1
    logger.info("synchronised %%d %[3]s", total)
    return total
`

var yamlTemplate = `# %[1]s service configuration
service:
  name: %[1]s
  port: 8%[4]d
  upstream: https://api.turris.example/%[3]s
  timeout_seconds: 10
auth:
  client_id: %[1]s-client
  client_secret: ${TURRIS_CLIENT_SECRET}
  token_url: https://auth.turris.example/oauth/token
database:
  url: ${DATABASE_URL}
  pool: 10
logging:
  level: info
  redact:
    - authorization
    - password
    - token
`

var mdTemplate = `# %[2]s

The %[1]s module synchronises %[3]s with the provider. Configure it with
environment variables: FINCEPT_API_KEY for the API key (never commit it) and
DATABASE_URL for the database.

## Running

    make run

Requests time out after 10 seconds; rate-limited calls are retried after the
Retry-After delay. See https://docs.fincept.example/security for the
provider's rules on API key storage and rotation.
`

var words = []string{"payment", "invoice", "refund", "customer", "account", "ledger", "transfer", "payout", "mandate", "dispute", "balance", "statement"}

// writeTree writes n files of 2–5 KB under dir (a mix of Go, JavaScript,
// Python, YAML and Markdown, in nested folders) and plants a secret in every
// plantEvery-th file. It returns the planted files.
func writeTree(t testing.TB, dir string, n, plantEvery int) []string {
	t.Helper()
	r := rand.New(rand.NewSource(int64(n)))
	var planted []string
	for i := 0; i < n; i++ {
		w := words[r.Intn(len(words))]
		pkg := fmt.Sprintf("%s%d", w, i) // unique: no file overwrites another
		title := strings.ToUpper(w[:1]) + w[1:]
		sub := filepath.Join(dir, "services", fmt.Sprintf("svc%02d", i%50), pkg)
		var name, body string
		switch i % 10 {
		case 0, 1, 2, 3:
			name, body = pkg+".go", fmt.Sprintf(goTemplate, pkg, title, title+"Record", w)
		case 4, 5, 6:
			name, body = pkg+".js", fmt.Sprintf(jsTemplate, pkg, title, w)
		case 7, 8:
			name, body = pkg+".py", fmt.Sprintf(pyTemplate, pkg, title, w)
		case 9:
			if i%20 == 9 {
				name, body = pkg+".yaml", fmt.Sprintf(yamlTemplate, pkg, title, w, i%1000)
			} else {
				name, body = "README.md", fmt.Sprintf(mdTemplate, pkg, title, w)
			}
		}
		// pad with comments so sizes spread over 2–5 KB
		for len(body) < 2048+r.Intn(3072) {
			body += fmt.Sprintf("\n// note %d: %s records are reconciled nightly against the provider's statement.", r.Intn(1e6), w)
		}
		if i%plantEvery == plantEvery/2 {
			body += plantLine(len(planted))
			planted = append(planted, filepath.Join(sub, name))
		}
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return planted
}

func plantLine(k int) string {
	switch k % 5 {
	case 0:
		return "\nconst apiKey = \"" + plantedFincept + "\"\n"
	case 1:
		return "\nvar awsKey = \"" + plantedAWS + "\"\n"
	case 2:
		return "\nconst ghToken = \"" + plantedGitHub + "\"\n"
	case 3:
		return "\nvar dsn = \"postgres://payments:" + plantedPassword + "@db.internal.example:5432/payments\"\n"
	default:
		return "\nvar clientSecret = \"" + plantedClient + "\"\n"
	}
}
