package mapfile_test

import (
	"fmt"

	"github.com/accord-tuf/accord/mapfile"
)

func ExampleParse() {
	m, err := mapfile.Parse("map.json", []byte(`{
  "repositories": {
    "ci":   ["https://tuf.example.com/ci"],
    "qa":   ["https://tuf.example.com/qa"],
    "prod": ["https://tuf.example.com/prod"]
  },
  "mapping": [
    {"paths": ["library/ubuntu*"], "repositories": ["ci", "qa"], "terminating": true},
    {"paths": ["**"], "repositories": ["prod"]}
  ]
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, i := range m.Match("library/ubuntu:latest") {
		mp := m.Mapping[i]
		fmt.Printf("mapping[%d]: %d of %v\n", i, mp.Threshold, mp.Repositories)
	}
	// Output:
	// mapping[0]: 2 of [ci qa]
	// mapping[1]: 1 of [prod]
}

func ExampleParse_errors() {
	_, err := mapfile.Parse("map.json", []byte(`{
  "repositories": {"ci": ["https://tuf.example.com/ci"], "ci": ["https://evil.example"]},
  "mapping": [{"paths": ["**"], "repositories": ["ci", "qa"], "treshold": 1}]
}`))
	fmt.Println(err)
	// Output:
	// map.json:2:58: repositories: duplicate key "ci"
	// map.json:3:56: mapping[0].repositories[1]: undeclared repository "qa"
	// map.json:3:63: mapping[0]: unknown field "treshold"
}

func ExampleImageTarget() {
	target, err := mapfile.ImageTarget("library/ubuntu", "latest")
	fmt.Println(target, err)
	_, err = mapfile.ImageTarget("library/ubuntu", "../latest")
	fmt.Println(err)
	// Output:
	// library/ubuntu:latest <nil>
	// invalid target "library/ubuntu:../latest": tag "../latest" contains "/" or ":"
}
