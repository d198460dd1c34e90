package httpprobe

import (
	"fmt"
	"sort"
	"strings"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// bannerHeaders disclose the product (and often version) behind a site.
var bannerHeaders = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator",
	"X-Runtime-Version", "X-Version", "X-Backend-Server", "X-Server", "Via", "X-Drupal-Dynamic-Cache", "X-Pingback",
	"X-Powered-CMS", "X-Application-Server"}

// versionLike matches a product version: nginx/1.25.3, PHP/8.2, 4.0.30319.
var versionLike = lazyre.New(`\d+\.\d+`)

// alwaysDisclosing headers exist only to name the stack.
var alwaysDisclosing = map[string]bool{"X-Powered-By": true, "X-AspNet-Version": true, "X-AspNetMvc-Version": true,
	"X-Generator": true, "X-Runtime-Version": true, "X-Version": true, "X-Backend-Server": true, "X-Powered-CMS": true}

func probeBanners(chain []*response) probes.Result {
	res := probes.Result{ID: "http.banners"}
	seen := map[string]bool{}
	observed := map[string]string{}
	for _, r := range chain {
		for _, name := range bannerHeaders {
			for _, v := range r.Header.Values(name) {
				key := name + "\x00" + v
				if seen[key] {
					continue
				}
				seen[key] = true
				observed[name] = truncate(v, 200)
				f := probes.Finding{Rule: "banner-" + strings.ToLower(name), Location: redactURL(r.URL),
					Evidence: name + ": " + truncate(v, 200)}
				switch {
				case versionLike().MatchString(v):
					f.Status, f.Message = probes.Fail, name+" discloses a product version"
				case alwaysDisclosing[name]:
					f.Status, f.Message = probes.Warn, name+" discloses the product (remove the header)"
				default:
					f.Status, f.Message = probes.Info, name+" names a product without a version"
				}
				res.Findings = append(res.Findings, f)
			}
		}
	}
	sort.SliceStable(res.Findings, func(i, j int) bool { return res.Findings[i].Status.Rank() > res.Findings[j].Status.Rank() })
	res.Observed = map[string]any{"headers": observed}
	res.Status = worst(res.Findings, probes.Pass)
	if res.Status == probes.Info {
		res.Status = probes.Pass
	}
	switch n := countStatus(res.Findings, probes.Fail); {
	case n > 0:
		res.Summary = fmt.Sprintf("%d headers disclose versions", n)
	case res.Status == probes.Warn:
		res.Summary = "headers name the product stack"
	default:
		res.Summary = "no version banners"
	}
	return res
}
