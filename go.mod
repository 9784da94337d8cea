module github.com/sup-run/sup

go 1.26.0

require (
	github.com/rogpeppe/go-internal v1.16.0
	go.starlark.net v0.0.0-20260908191801-89a6a09411d5
	golang.org/x/sys v0.50.0
)

require (
	github.com/robfig/cron/v3 v3.0.1 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
