package resolver

import (
	"context"
	"io"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Repository is one TUF repository as the resolver sees it. *repo.Client
// satisfies it.
//
// Refresh brings the repository's trusted metadata up to date (a full TUF
// update, or a load of cached metadata when offline). The resolver calls it at
// most once per repository and [Resolver], before the first TargetInfo.
//
// TargetInfo returns the verified target info that the repository signs for
// path. A verified absence is an error for which
// errors.Is(err, repo.ErrNotFound) (or [ErrNotFound]) holds; any other error
// means the repository could not answer.
//
// Implementations must be safe for concurrent use: one repository may be asked
// about several targets at once.
type Repository interface {
	Refresh(ctx context.Context) error
	TargetInfo(ctx context.Context, path string) (*metadata.TargetFiles, error)
}

// Opener opens the repository with the given declared name. A [Resolver] calls
// it lazily, at most once a name, and only when a resolution needs that
// repository. It must not touch the network: an error is a configuration
// error of that repository (for example one wrapping repo.ErrNotPinned).
type Opener func(name string) (Repository, error)

// Lister is the optional interface [Resolver.List] needs; *repo.Client
// satisfies it. Targets returns every target the repository signs, in all of
// its targets roles, by path.
type Lister interface {
	Targets(ctx context.Context) (map[string]*metadata.TargetFiles, error)
}

// Downloader is the optional interface [Resolver.Download] needs;
// *repo.Client satisfies it. Download writes the bytes of the target that info
// describes (the repository's own signed info with the consensus hashes it
// lacks added, info.Path the target) to w, and must check them against
// info's length and every hash in info before it writes any: w is the
// caller's output. The resolver checks the bytes again as they pass; a
// Downloader whose bytes fail that check after reaching w fails the
// download, as w then holds a part of them.
type Downloader interface {
	Download(ctx context.Context, info *metadata.TargetFiles, w io.Writer) error
}
