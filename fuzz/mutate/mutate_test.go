package mutate

import (
	"reflect"
	"strings"
	"testing"
)

var seeds = []string{"https://app.example.com", "https://admin.example.com"}

func TestSameSeedSameMutations(t *testing.T) {
	a, b := New(42).Origins(seeds, 50), New(42).Origins(seeds, 50)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("seed 42 gave two different runs:\n%v\n%v", a, b)
	}
	if c := New(43).Origins(seeds, 50); reflect.DeepEqual(a, c) {
		t.Fatal("seeds 42 and 43 gave the same mutations")
	}
}

func TestOriginsAreDistinctAndNotSeeds(t *testing.T) {
	got := New(7).Origins(seeds, 200)
	if len(got) < 150 {
		t.Fatalf("only %d distinct mutations of 200 asked", len(got))
	}
	seen := map[string]bool{seeds[0]: true, seeds[1]: true}
	for _, o := range got {
		if seen[o] {
			t.Fatalf("%q repeated or equal to a seed", o)
		}
		seen[o] = true
	}
}

func TestMutationsStayCloseToTheSeeds(t *testing.T) {
	// Random mutation is only useful near the trusted names: most
	// mutations must still mention the registrable domain's label.
	near := 0
	got := New(1).Origins(seeds, 100)
	for _, o := range got {
		if strings.Contains(strings.ToLower(o), "example") {
			near++
		}
	}
	if near < len(got)/2 {
		t.Fatalf("only %d of %d mutations mention example: %v", near, len(got), got)
	}
}

func TestStreamsAreIndependent(t *testing.T) {
	g := New(9)
	_ = g.Methods(10)
	a := g.Origins(seeds, 10)
	if b := New(9).Origins(seeds, 10); !reflect.DeepEqual(a, b) {
		t.Fatal("asking for methods first changed the origins of the same seed")
	}
}

func TestMethodsAndHeaders(t *testing.T) {
	g := New(3)
	ms := g.Methods(8)
	if len(ms) != 8 {
		t.Fatalf("Methods(8) = %v", ms)
	}
	for _, m := range ms {
		if m == "" || strings.ContainsAny(m, " \t,") {
			t.Fatalf("method %q is not a token", m)
		}
	}
	for _, l := range g.HeaderLists(20) {
		if len(l) == 0 || len(l) > 3 {
			t.Fatalf("header list %v: want 1 to 3 names", l)
		}
	}
	if New(0).Origins(nil, 5) != nil {
		t.Fatal("no seeds must give no origins")
	}
}
