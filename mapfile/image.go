package mapfile

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// DockerHub is the host name under which [ImageRef] and [RegistryAliases]
// know Docker Hub, whatever a reference calls it ("docker.io",
// "index.docker.io" or nothing at all).
const DockerHub = "docker.io"

// ErrInvalidImage is the category of every [*ImageError]:
// errors.Is(err, ErrInvalidImage) tells a refused image reference. An
// [*ImageError] is also an [ErrInvalidTarget], since the reference names the
// target.
var ErrInvalidImage = errors.New("invalid image reference")

// ErrDigestOnly is the category of an [*ImageError] for a reference that
// names a digest but no tag: accord's targets are tags, so such a reference
// names no target.
var ErrDigestOnly = errors.New("image reference names a digest but no tag")

// ImageError is the error [ImageRef] returns for a refused reference.
type ImageError struct {
	// Ref is the refused reference, as given.
	Ref string
	// Msg says what is wrong with it.
	Msg string

	digestOnly bool
}

// Error formats the error as `invalid image reference "REF": MSG`.
func (e *ImageError) Error() string {
	return fmt.Sprintf("invalid image reference %q: %s", e.Ref, e.Msg)
}

// Unwrap returns [ErrInvalidImage] and [ErrInvalidTarget], and
// [ErrDigestOnly] for a reference that names a digest but no tag.
func (e *ImageError) Unwrap() []error {
	errs := []error{ErrInvalidImage, ErrInvalidTarget}
	if e.digestOnly {
		errs = append(errs, ErrDigestOnly)
	}
	return errs
}

// AliasError is the error [ParseRegistryAlias] and [RegistryAliases.Set]
// return for a refused alias.
type AliasError struct {
	// Alias is the refused alias, as given.
	Alias string
	// Msg says what is wrong with it.
	Msg string
}

// Error formats the error as `invalid registry alias "ALIAS": MSG`.
func (e *AliasError) Error() string {
	return fmt.Sprintf("invalid registry alias %q: %s", e.Alias, e.Msg)
}

// RegistryAliases is the rule that maps a registry host to the prefix of its
// images' target names: host → prefix, where prefix "" drops the host. A
// host without an entry keeps its own name, except [DockerHub], which is
// dropped unless an entry says otherwise: so the nil RegistryAliases maps
// "ubuntu:24.04" to "library/ubuntu:24.04", as `accord lookup library/ubuntu
// 24.04` has it, and "registry.example.com/app:1.4" to
// "registry.example.com/app:1.4".
//
// Hosts are lowercase, with their port when the reference has one
// ("localhost:5000"); Docker Hub is [DockerHub]. A prefix is a valid target
// path ("mirror", "ghcr/acme") or "". A RegistryAliases is not safe for
// concurrent mutation; reading it concurrently is.
type RegistryAliases map[string]string

// ParseRegistryAlias parses "HOST=PREFIX", the form of `--registry-alias`:
// "registry.example.com=" drops the host, "ghcr.io=gh" maps it to "gh". HOST
// "index.docker.io" is [DockerHub]. The error is an [*AliasError].
func ParseRegistryAlias(s string) (host, prefix string, err error) {
	host, prefix, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", &AliasError{Alias: s, Msg: `want HOST=PREFIX, as "registry.example.com=" or "ghcr.io=gh"`}
	}
	if host == "" {
		return "", "", &AliasError{Alias: s, Msg: "empty host"}
	}
	if host != strings.ToLower(host) {
		return "", "", &AliasError{Alias: s, Msg: "host " + quote(host) + " has uppercase letters"}
	}
	reg, err := name.NewRegistry(host)
	if err != nil || strings.Contains(host, "/") {
		return "", "", &AliasError{Alias: s, Msg: "host " + quote(host) + " is not a registry host[:port]"}
	}
	if prefix != "" {
		if msg := targetProblem(prefix); msg != "" {
			return "", "", &AliasError{Alias: s, Msg: "prefix " + quote(prefix) + ": " + msg}
		}
		if strings.Contains(prefix, ":") {
			return "", "", &AliasError{Alias: s, Msg: "prefix " + quote(prefix) + ` contains ":"`}
		}
	}
	return registryHost(reg), prefix, nil
}

// Set adds the alias "HOST=PREFIX" (see [ParseRegistryAlias]); a later alias
// for the same host replaces an earlier one.
func (a RegistryAliases) Set(s string) error {
	host, prefix, err := ParseRegistryAlias(s)
	if err != nil {
		return err
	}
	a[host] = prefix
	return nil
}

// prefix returns the target-name prefix of host under a.
func (a RegistryAliases) prefix(host string) string {
	if p, ok := a[host]; ok {
		return p
	}
	if host == DockerHub {
		return ""
	}
	return host
}

// Image is an image reference resolved to the target that names it.
type Image struct {
	// Name is the reference as given, without its digest:
	// "ubuntu:24.04" for "ubuntu:24.04@sha256:…". Name + "@" + the
	// consensus digest is what `docker pull` should be given.
	Name string
	// Canonical is the reference normalised as Docker does, without its
	// digest: "docker.io/library/ubuntu:24.04" ("docker.io/library/ubuntu"
	// for a reference without a tag from [ImageRefOrDigest]).
	Canonical string
	// Target is the target name: "library/ubuntu:24.04"; empty only for
	// a reference without a tag from [ImageRefOrDigest].
	Target string
	// Repository is the image's repository as a target-name prefix, the
	// target without ":TAG": "library/ubuntu".
	Repository string
	// Digest is the reference's digest, "sha256:" and 64 lowercase hex
	// digits, or "" when it has none. The caller compares it with the
	// consensus sha256: the image manifest's digest.
	Digest string
}

// dockerPathComponent is one "/"-separated component of a repository path,
// in Docker's grammar (github.com/distribution/reference): lowercase letters
// and digits, with ".", "_", "__" or runs of "-" only between them.
var dockerPathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

// dockerTag is a tag in Docker's grammar.
var dockerTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// ImageRef turns a container image reference into the target that names
// it. The reference is parsed by go-containerregistry's name package and
// normalised as Docker does: no registry is Docker Hub, a Docker Hub image
// without a namespace is in "library", no tag is "latest"; a first path
// component "localhost" is a registry, as in Docker. The registry host is
// then mapped by aliases (see [RegistryAliases]), giving
//
//	ubuntu                               library/ubuntu:latest
//	docker.io/library/ubuntu:24.04       library/ubuntu:24.04
//	registry.example.com/team/app:1.4    registry.example.com/team/app:1.4
//	localhost:5000/app:1                 localhost:5000/app:1
//
// A reference may end with "@sha256:" and 64 lowercase hex digits; it is
// returned in [Image.Digest] for the caller to check against the consensus
// (a reference with both a tag and a digest names the target by its tag and
// is allowed only when both agree). A reference with a digest but no tag
// names no target and is refused with [ErrDigestOnly]: accord verifies
// tags, and which tag a digest belongs to is what it would have to trust.
//
// Refused, with an [*ImageError]: anything Docker refuses (an empty or
// malformed name, a repository path component outside Docker's grammar, a
// tag over 128 characters, a digest that is not sha256), uppercase letters
// outside the tag (Docker refuses them in the path; a registry host is
// case-insensitive, so "Registry.example.com" would name another target
// than the host it pulls from), and a result that is not a valid target
// path.
func ImageRef(ref string, aliases RegistryAliases) (Image, error) {
	return parseImage(ref, aliases, false)
}

// ImageRefOrDigest is [ImageRef], except that a reference with a digest
// and no tag ("ubuntu@sha256:…", as containerd's CRI plugin passes an
// image pinned by digest) is accepted: its Target is empty, and its
// Repository and Digest name it. Finding which tags of Repository have
// that digest is the caller's business.
func ImageRefOrDigest(ref string, aliases RegistryAliases) (Image, error) {
	return parseImage(ref, aliases, true)
}

// parseImage is [ImageRef], and with digestOnly [ImageRefOrDigest].
func parseImage(ref string, aliases RegistryAliases, digestOnly bool) (Image, error) {
	bad := func(msg string) (Image, error) { return Image{}, &ImageError{Ref: ref, Msg: msg} }
	base, dig, hasDigest := strings.Cut(ref, "@")
	if hasDigest {
		d, err := name.NewDigest(ref)
		if err != nil {
			return bad("digest " + quote(dig) + ": want sha256: and 64 lowercase hex digits")
		}
		dig = d.DigestStr()
	}
	if n := untagged(base); n != strings.ToLower(n) {
		return bad("uppercase letters in the name (only a tag may have them)")
	}
	opts := []name.Option{name.WithDefaultTag("")}
	parse := base
	if rest, ok := strings.CutPrefix(base, "localhost/"); ok {
		// Docker takes "localhost" as a registry; go-containerregistry
		// takes it as a Docker Hub namespace unless told.
		opts = append(opts, name.WithDefaultRegistry("localhost"))
		parse = rest
	}
	tag, err := name.NewTag(parse, opts...)
	if err != nil {
		return bad(strings.TrimPrefix(err.Error(), "repository "))
	}
	tagStr := tag.TagStr()
	noTag := tagStr == "" && hasDigest
	if noTag && !digestOnly {
		return Image{}, &ImageError{Ref: ref, Msg: "names a digest but no tag: accord verifies tags; give IMAGE:TAG@" + dig, digestOnly: true}
	}
	if tagStr == "" && !noTag {
		tagStr = name.DefaultTag
	}
	if !noTag && !dockerTag.MatchString(tagStr) {
		return bad("tag " + quote(tagStr) + " is not a Docker tag")
	}
	repoPath := tag.RepositoryStr()
	for _, c := range strings.Split(repoPath, "/") {
		if !dockerPathComponent.MatchString(c) {
			return bad("path component " + quote(c) + " is not lowercase letters and digits joined by '.', '_', '__' or '-'")
		}
	}
	host := registryHost(tag.Registry)
	gun := repoPath
	if p := aliases.prefix(host); p != "" {
		gun = p + "/" + repoPath
	}
	im := Image{Name: base, Canonical: host + "/" + repoPath, Repository: gun, Digest: dig}
	if noTag {
		if msg := targetProblem(gun + ":" + name.DefaultTag); msg != "" {
			return bad(msg)
		}
		return im, nil
	}
	target, err := ImageTarget(gun, tagStr)
	var te *TargetError
	if errors.As(err, &te) {
		return bad(te.Msg)
	}
	im.Canonical += ":" + tagStr
	im.Target = target
	return im, nil
}

// registryHost returns the host of reg as [RegistryAliases] knows it:
// Docker Hub is [DockerHub].
func registryHost(reg name.Registry) string {
	if h := reg.RegistryStr(); h != name.DefaultRegistry {
		return h
	}
	return DockerHub
}

// untagged returns ref without its tag: up to the last ":" after the last
// "/" (a ":" before a "/" is a registry's port).
func untagged(ref string) string {
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[:i]
	}
	return ref
}
