package s3client

// The AWS partitions the endpoint rules know: which regions belong to each,
// its DNS suffix, and whether it has FIPS and dual-stack endpoints.

import "strings"

// partition is one AWS partition, as the endpoint rules' aws.partition
// function returns it.
type partition struct {
	name      string
	dnsSuffix string
	fips      bool // supports FIPS endpoints
	dualStack bool // supports dual-stack endpoints
	// prefixes describe the partition's region names: a region matches
	// when it is a prefix + "-" + letters/digits/underscores + "-" +
	// digits (the partitions' regionRegex, ^prefix\-\w+\-\d+$).
	prefixes []string
	// regions are the names that belong to the partition without matching
	// its pattern (the global pseudo-regions).
	regions []string
}

// partitions lists the partitions; a region that matches none belongs to
// aws, as in the rules.
var partitions = [...]partition{
	{name: "aws", dnsSuffix: "amazonaws.com", fips: true, dualStack: true,
		prefixes: []string{"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"}, regions: []string{"aws-global"}},
	{name: "aws-cn", dnsSuffix: "amazonaws.com.cn", fips: false, dualStack: true,
		prefixes: []string{"cn"}, regions: []string{"aws-cn-global"}},
	{name: "aws-us-gov", dnsSuffix: "amazonaws.com", fips: true, dualStack: true,
		prefixes: []string{"us-gov"}, regions: []string{"aws-us-gov-global"}},
	{name: "aws-iso", dnsSuffix: "c2s.ic.gov", fips: true, dualStack: false,
		prefixes: []string{"us-iso"}, regions: []string{"aws-iso-global"}},
	{name: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov", fips: true, dualStack: false,
		prefixes: []string{"us-isob"}, regions: []string{"aws-iso-b-global"}},
	{name: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk", fips: true, dualStack: false,
		prefixes: []string{"eu-isoe"}, regions: []string{"aws-iso-e-global"}},
	{name: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov", fips: true, dualStack: false,
		prefixes: []string{"us-isof"}, regions: []string{"aws-iso-f-global"}},
	{name: "aws-eusc", dnsSuffix: "amazonaws.eu", fips: true, dualStack: false,
		prefixes: []string{"eusc-de"}},
}

// partitionOf returns the partition of region. Explicit names win over
// patterns; an unknown region is in aws.
func partitionOf(region string) *partition {
	for i := range partitions {
		for _, r := range partitions[i].regions {
			if region == r {
				return &partitions[i]
			}
		}
	}
	for i := range partitions {
		for _, p := range partitions[i].prefixes {
			if matchRegion(region, p) {
				return &partitions[i]
			}
		}
	}
	return &partitions[0]
}

// matchRegion reports whether region is prefix-WORD-DIGITS, WORD being
// one or more letters, digits or underscores.
func matchRegion(region, prefix string) bool {
	rest, ok := strings.CutPrefix(region, prefix+"-")
	if !ok {
		return false
	}
	word, digits, ok := strings.Cut(rest, "-")
	if !ok || word == "" || digits == "" {
		return false
	}
	for i := 0; i < len(word); i++ {
		if c := word[i]; !isAlnum(c) && !(c >= 'A' && c <= 'Z') && c != '_' {
			return false
		}
	}
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}
