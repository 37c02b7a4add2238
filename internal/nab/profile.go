package nab // import "github.com/otelcol-aiops/otelcol-aiops/internal/nab"

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// Profile is one NAB application profile (config/profiles.json). tnWeight is
// not used by NAB's scorer and is not kept.
type Profile struct {
	Name                         string
	TPWeight, FNWeight, FPWeight float64
}

// StandardProfiles are NAB v1.1's three profiles, in its reporting order.
var StandardProfiles = []Profile{
	{Name: "standard", TPWeight: 1, FNWeight: 1, FPWeight: 0.11},
	{Name: "reward_low_FP_rate", TPWeight: 1, FNWeight: 1, FPWeight: 0.22},
	{Name: "reward_low_FN_rate", TPWeight: 1, FNWeight: 2, FPWeight: 0.11},
}

// LoadProfiles reads NAB's profiles.json. Profiles named like the standard
// ones come first in the standard order, any others follow sorted by name.
func LoadProfiles(path string) ([]Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]struct {
		CostMatrix map[string]float64 `json:"CostMatrix"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rank := map[string]int{}
	for i, p := range StandardProfiles {
		rank[p.Name] = i
	}
	var out []Profile
	for name, p := range raw {
		m := p.CostMatrix
		for _, k := range []string{"tpWeight", "fnWeight", "fpWeight"} {
			if _, ok := m[k]; !ok {
				return nil, fmt.Errorf("%s: profile %q lacks %s", path, name, k)
			}
		}
		out = append(out, Profile{Name: name, TPWeight: m["tpWeight"], FNWeight: m["fnWeight"], FPWeight: m["fpWeight"]})
	}
	sort.Slice(out, func(i, j int) bool {
		ri, oki := rank[out[i].Name]
		rj, okj := rank[out[j].Name]
		switch {
		case oki && okj:
			return ri < rj
		case oki != okj:
			return oki
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
