package probes

import "testing"

func TestHostSlotsPerHost(t *testing.T) {
	s := NewHostSlots(2)
	a := s.For("Example.com:443")
	if cap(a) != 2 {
		t.Fatalf("capacity %d, want 2", cap(a))
	}
	for _, same := range []string{"example.com", "EXAMPLE.COM:8443", "example.com:80"} {
		if s.For(same) != a {
			t.Errorf("%s got other slots than Example.com:443", same)
		}
	}
	if s.For("[::1]:443") != s.For("::1") {
		t.Error("[::1]:443 and ::1 are one host")
	}
	if s.For("other.example.com") == a {
		t.Error("another host shares example.com's slots")
	}
	if cap(NewHostSlots(0).For("x")) != 1 {
		t.Error("at least one slot")
	}
}

func TestDefaultsShareHostSlots(t *testing.T) {
	cfg := Config{PerHost: 3}.Defaults()
	if cfg.Hosts == nil || cap(cfg.Hosts.For("h")) != 3 {
		t.Fatal("Defaults makes PerHost slots")
	}
	if again := cfg.Defaults(); again.Hosts != cfg.Hosts {
		t.Error("Defaults on a defaulted config must keep its slots (families call it again)")
	}
}
