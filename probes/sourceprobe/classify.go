package sourceprobe

import (
	"path"
	"strings"
)

// fileKind says which scanners a file gets.
type fileKind struct {
	doc    bool // prose: README, docs; only the secrets scan applies
	code   bool // program source
	script bool // shell, Dockerfile, Makefile
	config bool // YAML, JSON, TOML, .env, …
	web    bool // code that runs in a browser or renders pages (web storage)
	ci     bool // CI configuration
	test   bool // tests and fixtures: lower severity for TLS and plain-HTTP findings
}

var (
	docExts = set(".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".org", ".rtf", ".tex")
	webExts = set(".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".vue", ".svelte", ".astro", ".html", ".htm",
		".erb", ".ejs", ".hbs", ".handlebars", ".php", ".cshtml", ".razor", ".jsp", ".twig", ".njk", ".pug", ".liquid")
	codeExts = set(".go", ".py", ".java", ".kt", ".kts", ".scala", ".rb", ".cs", ".fs", ".vb", ".swift", ".m", ".mm", ".rs",
		".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".dart", ".ex", ".exs", ".erl", ".clj", ".groovy", ".gradle", ".lua", ".pl", ".pm",
		".r", ".jl", ".elm", ".hs", ".ml", ".sql", ".tf", ".hcl", ".ipynb")
	scriptExts = set(".sh", ".bash", ".zsh", ".fish", ".ps1", ".psm1", ".bat", ".cmd", ".mk")
	configExts = set(".yml", ".yaml", ".json", ".json5", ".toml", ".ini", ".cfg", ".conf", ".properties", ".env", ".xml",
		".plist", ".config", ".tfvars", ".npmrc", ".yarnrc", ".pypirc", ".netrc")
	docNames    = set("license", "licence", "copying", "notice", "authors", "contributors", "changelog", "changes", "history")
	scriptNames = set("dockerfile", "makefile", "jenkinsfile", "vagrantfile", "procfile", "gemfile", "rakefile", "containerfile", "justfile")
	testDirs    = set("test", "tests", "testdata", "__tests__", "spec", "specs", "e2e", "fixtures", "__fixtures__", "mocks", "__mocks__", "testutil", "testing")
)

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

func classify(rel string, isCI func(string) bool) fileKind {
	base := path.Base(rel)
	lower := strings.ToLower(base)
	ext := strings.ToLower(path.Ext(base))
	stem := strings.TrimSuffix(lower, ext)
	var k fileKind
	switch {
	case docExts[ext] || (ext == "" && docNames[lower]) || docNames[stem]:
		k.doc = true
	case webExts[ext]:
		k.web, k.code = true, true
	case codeExts[ext]:
		k.code = true
	case scriptExts[ext] || scriptNames[lower] || strings.HasPrefix(lower, "dockerfile") || strings.HasSuffix(lower, ".dockerfile"):
		k.script = true
	case configExts[ext] || lower == ".env" || strings.HasPrefix(lower, ".env.") || ext == "":
		k.config = true
	}
	k.ci = isCI(rel)
	if k.ci {
		k.doc = false
	}
	k.test = isTestPath(rel)
	return k
}

// isTestPath: a test or fixture file, by folder or by the languages' naming conventions.
func isTestPath(rel string) bool {
	for _, seg := range strings.Split(path.Dir(rel), "/") {
		if testDirs[strings.ToLower(seg)] {
			return true
		}
	}
	base := path.Base(rel)
	lower := strings.ToLower(base)
	stem := strings.TrimSuffix(lower, path.Ext(lower))
	return strings.HasSuffix(lower, "_test.go") || strings.HasPrefix(lower, "test_") || strings.HasSuffix(stem, "_test") ||
		strings.Contains(lower, ".test.") || strings.Contains(lower, ".spec.") ||
		strings.HasSuffix(base, "Test.java") || strings.HasSuffix(base, "Tests.java") || strings.HasSuffix(base, "Tests.cs") ||
		strings.HasSuffix(base, "Test.cs") || strings.HasSuffix(base, "Test.kt") || strings.HasSuffix(base, "_spec.rb")
}
