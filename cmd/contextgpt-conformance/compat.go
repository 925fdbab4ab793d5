package main

import (
	"context"

	"github.com/contextgpt/sandbox/compat/parity"
	"github.com/contextgpt/sandbox/compat/proxy"
	"github.com/contextgpt/sandbox/compat/specdiff"
)

// The compatibility tools (package compat): each parses its own flags and returns its exit
// code.

func diffCmd(_ context.Context, c *cli, args []string) error {
	return exitWith(specdiff.Command(args, c.stdout, c.stderr))
}

func proxyCmd(ctx context.Context, c *cli, args []string) error {
	return exitWith(proxy.Command(ctx, args, c.getenv, c.stdout, c.stderr, nil))
}

func parityCmd(ctx context.Context, c *cli, args []string) error {
	return exitWith(parity.Command(ctx, args, c.getenv, c.stdout, c.stderr))
}
