package mapfile

import (
	"reflect"
	"testing"
)

func TestSplitGroups(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"qa", []string{"qa"}},
		{" ci , qa,,prod ", []string{"ci", "qa", "prod"}},
	} {
		if got := SplitGroups(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitGroups(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
