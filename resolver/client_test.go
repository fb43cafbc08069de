package resolver

import "github.com/accord-tuf/accord/repo"

// *repo.Client is the repository the command resolves over.
var _ interface {
	Repository
	Lister
	Downloader
} = (*repo.Client)(nil)
