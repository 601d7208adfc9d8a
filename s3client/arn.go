package s3client

// Buckets named by ARN: access points (arn:PARTITION:s3:REGION:ACCOUNT:
// accesspoint/NAME), Object Lambda access points (s3-object-lambda),
// Multi-Region Access Points (no region, NAME.mrap, signed with SigV4a) and
// Outposts access points (s3-outposts), and the Outposts bucket aliases
// (NAME--op-s3), resolved as the S3 endpoint rules do.

import (
	"fmt"
	"strings"
)

// ErrInvalidARN is wrapped, with the endpoint rules' message, when a
// bucket is an ARN that cannot be used: malformed, of another service or
// partition, or not allowed by the settings. Nothing is sent.
var ErrInvalidARN = fmt.Errorf("%w: invalid ARN", ErrInvalidInput)

func arnErr(format string, args ...any) error {
	return fmt.Errorf("%w: Invalid ARN: %s", ErrInvalidARN, fmt.Sprintf(format, args...))
}

// arnConfigErr is an error of an ARN the settings refuse; it matches both
// ErrInvalidARN and ErrInvalidEndpoint.
func arnConfigErr(format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrInvalidARN, ErrInvalidEndpoint, fmt.Sprintf(format, args...))
}

// arn is a parsed ARN, the rules' aws.parseArn.
type arn struct {
	raw                                 string
	partition, service, region, account string
	resource                            []string // split on ':' and '/'
}

// parseARN splits arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; partition,
// service and resource must not be empty.
func parseARN(s string) (*arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return nil, false
	}
	return &arn{raw: s, partition: parts[1], service: parts[2], region: parts[3], account: parts[4],
		resource: splitResource(parts[5])}, true
}

// splitResource splits on every ':' and '/', keeping empty components.
func splitResource(s string) []string {
	var comps []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ':' || s[i] == '/' {
			comps = append(comps, s[start:i])
			start = i + 1
		}
	}
	return append(comps, s[start:])
}

// resourceID returns the i-th component of the resource and whether there
// is one.
func (a *arn) resourceID(i int) (string, bool) {
	if i < len(a.resource) {
		return a.resource[i], true
	}
	return "", false
}

// arn resolves a bucket given as an ARN.
func (r *endpointResolver) arn(t *target, a *arn, region string, part *partition, accelerate bool) (*endpoint, error) {
	typ, _ := a.resourceID(0)
	if typ == "" {
		return nil, arnErr("No ARN type specified")
	}
	switch {
	case a.service == "s3-object-lambda":
		return r.objectLambdaARN(t, a, typ, region, part, accelerate)
	case typ == "accesspoint":
		return r.accessPointARN(t, a, region, part, accelerate)
	case a.service == "s3-outposts":
		return r.outpostsARN(t, a, region, part, accelerate)
	}
	return nil, arnErr("Unrecognized format: %s (type: %s)", a.raw, typ)
}

// checkARNRegion applies UseARNRegion and the partition rule: the ARN's
// region must be in the client's partition.
func (r *endpointResolver) checkARNRegion(a *arn, region string, part *partition) (*partition, error) {
	if r.arnRegionSet && !r.arnRegion && a.region != region {
		return nil, arnConfigErr("Invalid configuration: region from ARN `%s` does not match client region `%s` and UseArnRegion is `false`", a.region, region)
	}
	bp := partitionOf(a.region)
	if bp.name != part.name {
		return nil, arnConfigErr("Client was configured for partition `%s` but ARN (`%s`) has `%s`", part.name, a.raw, bp.name)
	}
	if !hostLabel(a.region, true) {
		return nil, fmt.Errorf("%w: Invalid region in ARN: `%s` (invalid DNS name)", ErrInvalidARN, a.region)
	}
	return bp, nil
}

func checkAccount(account string) error {
	if !hostLabel(account, false) {
		return arnErr("The account id may only contain a-z, A-Z, 0-9 and `-`. Found: `%s`", account)
	}
	return nil
}

func checkAccessPointName(name string) error {
	if !hostLabel(name, false) {
		return arnErr("The access point name may only contain a-z, A-Z, 0-9 and `-`. Found: `%s`", name)
	}
	return nil
}

// accessPointName returns the name after "accesspoint", refusing a
// missing name and further components.
func accessPointName(a *arn) (string, error) {
	name, _ := a.resourceID(1)
	if name == "" {
		return "", arnErr("Expected a resource of the format `accesspoint:<accesspoint name>` but no name was provided")
	}
	return name, nil
}

func onlyOneResource(a *arn) error {
	if _, more := a.resourceID(2); more {
		return arnErr("The ARN may only contain a single resource component after `accesspoint`.")
	}
	return nil
}

// objectLambdaARN: NAME-ACCOUNT.s3-object-lambda[-fips].REGION.SUFFIX,
// signed for s3-object-lambda in the ARN's region.
func (r *endpointResolver) objectLambdaARN(t *target, a *arn, typ, region string, part *partition, accelerate bool) (*endpoint, error) {
	if typ != "accesspoint" {
		return nil, arnErr("Object Lambda ARNs only support `accesspoint` arn types, but found: `%s`", typ)
	}
	name, err := accessPointName(a)
	if err != nil {
		return nil, err
	}
	if t.noAccessPoints {
		return nil, arnConfigErr("Access points are not supported for this operation")
	}
	if err := onlyOneResource(a); err != nil {
		return nil, err
	}
	switch {
	case a.region == "":
		return nil, arnErr("bucket ARN is missing a region")
	case r.dualStack:
		return nil, arnConfigErr("S3 Object Lambda does not support Dual-stack")
	case accelerate:
		return nil, arnConfigErr("S3 Object Lambda does not support S3 Accelerate")
	}
	bp, err := r.checkARNRegion(a, region, part)
	if err != nil {
		return nil, err
	}
	if a.account == "" {
		return nil, arnErr("Missing account id")
	}
	if err := checkAccount(a.account); err != nil {
		return nil, err
	}
	if err := checkAccessPointName(name); err != nil {
		return nil, err
	}
	if r.fips && !bp.fips {
		return nil, arnConfigErr("Partition does not support FIPS")
	}
	ep := &endpoint{signingName: "s3-object-lambda", signingRegion: a.region,
		url: r.labeled(name+"-"+a.account, serviceHost("s3-object-lambda", r.fips, false, a.region, bp))}
	setPath(ep.url, r.prefix, "", t.key)
	return ep, nil
}

// accessPointARN: an access point in a region
// (NAME-ACCOUNT.s3-accesspoint[-fips][.dualstack].REGION.SUFFIX) or, with
// no region, a Multi-Region Access Point.
func (r *endpointResolver) accessPointARN(t *target, a *arn, region string, part *partition, accelerate bool) (*endpoint, error) {
	name, err := accessPointName(a)
	if err != nil {
		return nil, err
	}
	if a.region == "" {
		return r.mrap(t, a, name, region, part, accelerate)
	}
	if t.noAccessPoints {
		return nil, arnConfigErr("Access points are not supported for this operation")
	}
	if err := onlyOneResource(a); err != nil {
		return nil, err
	}
	bp, err := r.checkARNRegion(a, region, part)
	if err != nil {
		return nil, err
	}
	if a.service != "s3" {
		return nil, arnErr("The ARN was not for the S3 service, found: %s", a.service)
	}
	if err := checkAccount(a.account); err != nil {
		return nil, err
	}
	if err := checkAccessPointName(name); err != nil {
		return nil, err
	}
	switch {
	case accelerate:
		return nil, arnConfigErr("Access Points do not support S3 Accelerate")
	case r.fips && !bp.fips:
		return nil, arnConfigErr("Partition does not support FIPS")
	case r.dualStack && !bp.dualStack:
		return nil, arnConfigErr("DualStack is enabled but this partition does not support DualStack")
	}
	ep := &endpoint{signingName: "s3", signingRegion: a.region,
		url: r.labeled(name+"-"+a.account, serviceHost("s3-accesspoint", r.fips, r.dualStack, a.region, bp))}
	setPath(ep.url, r.prefix, "", t.key)
	return ep, nil
}

// mrap: ALIAS.accesspoint.s3-global.SUFFIX, signed with SigV4a for every
// region. With a custom Endpoint it goes to ALIAS.ENDPOINT instead (the
// rules would still send it to AWS).
func (r *endpointResolver) mrap(t *target, a *arn, name, region string, part *partition, accelerate bool) (*endpoint, error) {
	if r.noMRAP {
		return nil, arnConfigErr("Invalid configuration: Multi-Region Access Point ARNs are disabled.")
	}
	if !hostLabel(name, true) {
		return nil, fmt.Errorf("%w: Invalid Access Point Name", ErrInvalidARN)
	}
	switch {
	case r.dualStack:
		return nil, arnConfigErr("S3 MRAP does not support dual-stack")
	case r.fips:
		return nil, arnConfigErr("S3 MRAP does not support FIPS")
	case accelerate:
		return nil, arnConfigErr("S3 MRAP does not support S3 Accelerate")
	case a.partition != part.name:
		return nil, arnConfigErr("Client was configured for partition `%s` but bucket referred to partition `%s`", part.name, a.partition)
	}
	ep := &endpoint{auth: authSigV4a, signingName: "s3", signingRegion: "*",
		url: r.labeled(name, "accesspoint.s3-global."+part.dnsSuffix)}
	setPath(ep.url, r.prefix, "", t.key)
	return ep, nil
}

// outpostsARN: an Outposts access point,
// NAME-ACCOUNT.OUTPOST.s3-outposts.REGION.SUFFIX, signed with SigV4a for
// s3-outposts.
func (r *endpointResolver) outpostsARN(t *target, a *arn, region string, part *partition, accelerate bool) (*endpoint, error) {
	switch {
	case r.dualStack:
		return nil, arnConfigErr("S3 Outposts does not support Dual-stack")
	case r.fips:
		return nil, arnConfigErr("S3 Outposts does not support FIPS")
	case accelerate:
		return nil, arnConfigErr("S3 Outposts does not support S3 Accelerate")
	}
	if _, sub := a.resourceID(4); sub {
		return nil, fmt.Errorf("%w: Invalid Arn: Outpost Access Point ARN contains sub resources", ErrInvalidARN)
	}
	outpost, ok := a.resourceID(1)
	if !ok {
		return nil, arnErr("The Outpost Id was not set")
	}
	if !hostLabel(outpost, false) {
		return nil, arnErr("The outpost Id may only contain a-z, A-Z, 0-9 and `-`. Found: `%s`", outpost)
	}
	bp, err := r.checkARNRegion(a, region, part)
	if err != nil {
		return nil, err
	}
	if err := checkAccount(a.account); err != nil {
		return nil, err
	}
	typ, ok := a.resourceID(2)
	if !ok {
		return nil, arnErr("Expected a 4-component resource")
	}
	name, ok := a.resourceID(3)
	if !ok {
		return nil, arnErr("expected an access point name")
	}
	if typ != "accesspoint" {
		return nil, fmt.Errorf("%w: Expected an outpost type `accesspoint`, found %s", ErrInvalidARN, typ)
	}
	if err := checkAccessPointName(name); err != nil {
		return nil, err
	}
	ep := &endpoint{auth: authSigV4a, signingName: "s3-outposts", signingRegion: "*",
		url: r.labeled(name+"-"+a.account+"."+outpost, "s3-outposts."+a.region+"."+bp.dnsSuffix)}
	setPath(ep.url, r.prefix, "", t.key)
	return ep, nil
}

// outpostsAlias resolves an Outposts bucket alias (at least 50 characters
// ending in --op-s3): the hardware type (o: an Outpost, e: EC2) and the
// outpost ID are read at fixed offsets from the end. ok is false for any
// other bucket.
func (r *endpointResolver) outpostsAlias(t *target, region string, part *partition) (ep *endpoint, err error, ok bool) {
	b := t.bucket
	n := len(b)
	if n < 50 || !strings.HasSuffix(b, "--op-s3") || !isASCII(b) {
		return nil, nil, false
	}
	hardware, regionPrefix, outpost := b[n-50:n-49], b[n-12:n-8], b[n-49:n-32]
	if !hostLabel(outpost, false) {
		return nil, arnErr("The outpost Id must only contain a-z, A-Z, 0-9 and `-`."), true
	}
	var label string
	switch hardware {
	case "e":
		label = "ec2"
	case "o":
		label = "op-" + outpost
	default:
		return nil, fmt.Errorf("%w: Unrecognized hardware type: \"Expected hardware type o or e but got %s\"", ErrInvalidBucketName, hardware), true
	}
	if regionPrefix == "beta" && !r.custom {
		return nil, endpointErr("Expected a endpoint to be specified but no endpoint was found"), true
	}
	if !virtualHostable(b, false) {
		return nil, fmt.Errorf("%w: Invalid Outposts Bucket alias - it must be a valid bucket name.", ErrInvalidBucketName), true
	}
	ep = &endpoint{auth: authSigV4a, signingName: "s3-outposts", signingRegion: "*",
		url: r.labeled(b+"."+label, "s3-outposts."+region+"."+part.dnsSuffix)}
	setPath(ep.url, r.prefix, "", t.key)
	return ep, nil, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
