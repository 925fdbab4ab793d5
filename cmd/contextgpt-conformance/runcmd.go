package main

import (
	"context"
	"fmt"

	cliflag "github.com/contextgpt/sandbox/internal/cli" // the command line's shared parts (this package has a type cli)

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
)

// runFlags are run's flags once defined: the configuration they fill and the values that
// need checking before they go into it.
type runFlags struct {
	*flags
	cfg       conformance.Config
	target    target
	out       outputs
	inputs    cliflag.Inputs
	workflows listFlag
	shard     *string
}

func newRunFlags(c *cli) *runFlags {
	r := &runFlags{flags: newFlags("run", "run [flags] [PATH...]", c.stdout), cfg: conformance.DefaultConfig(), inputs: cliflag.Inputs{}}
	f, cfg := r.flags, &r.cfg
	r.target = bindTarget(f, &cfg.BaseURL, &cfg.APIKey, &cfg.Plan, &cfg.MockAdminToken, &cfg.Timeout, &cfg.MaxWait,
		"API key: fills the workflows' apiKey input, sent on every API step",
		"OpenAPI document of the API (default: what the workflows' sourceDescriptions name)")
	f.Var(r.inputs, "input", "workflow input `name=value` (repeatable)")
	f.Var(&r.workflows, "workflow", "run only these workflows (`ids or globs`, comma-separated or repeated) and what they depend on")
	r.shard = f.String("shard", "", "run part `i/n` of the workflows (linked ones stay together), to split a suite over CI machines")
	f.bindEnv("shard", "CONTEXTGPT_SHARD")
	f.IntVar(&cfg.Jobs, "jobs", cfg.Jobs, "workflow groups run in parallel")
	f.bindEnv("jobs", "CONTEXTGPT_JOBS")
	r.out = bindOutputs(f, "fail below this operation coverage, in `percent`")
	f.BoolVar(&cfg.Verbose, "v", false, "print every exchange (request, response, curl line) and keep it in the reports")
	f.BoolVar(&cfg.StrictSchema, "strict-schema", false, "flag body properties the spec does not declare (body-undeclared)")
	f.bindEnv("strict-schema", "CONTEXTGPT_STRICT_SCHEMA")
	f.DurationVar(&cfg.MaxResponseTime, "max-response-time", 0, "flag a response slower than this `duration` (response-time; 0: no limit)")
	f.bindEnv("max-response-time", "CONTEXTGPT_MAX_RESPONSE_TIME")
	return r
}

// check completes the configuration from the flags that needed parsing and returns every
// error of bad input (all of them, before any request).
func (r *runFlags) check() []error {
	cfg := &r.cfg
	var errs []error
	if cfg.Jobs < 1 {
		errs = append(errs, fmt.Errorf("--jobs %d: at least 1", cfg.Jobs))
	}
	errs = append(errs, r.target.checkDurations()...)
	if cfg.MaxResponseTime < 0 {
		errs = append(errs, fmt.Errorf("--max-response-time %s: must not be negative", cfg.MaxResponseTime))
	}
	if cfg.APIKey != "" && len(cfg.APIKey) < minKeyLength {
		errs = append(errs, fmt.Errorf("--api-key: %d characters is too short to be a key (at least %d; a shorter secret cannot be redacted from the output safely)", len(cfg.APIKey), minKeyLength))
	}
	if *r.shard != "" {
		var err error
		if cfg.Shard, err = conformance.ParseShard(*r.shard); err != nil {
			errs = append(errs, err)
		}
	}
	cfg.Inputs = r.inputs
	cfg.Workflows = r.workflows
	cfg.Version = buildVersion()
	var err error
	if cfg.MinCoverage, err = r.out.minCoverage(); err != nil {
		errs = append(errs, err)
	}
	if cfg.SpecDocument, err = r.target.readSpec(); err != nil {
		errs = append(errs, err)
	}
	return append(errs, r.out.checkFolders()...)
}

// runCmd runs Arazzo workflows against the API: parse and check the flags, load the
// documents, build the runner (all bad input reported at once, before any request), run, and
// write the reports.
func runCmd(ctx context.Context, c *cli, args []string) error {
	r := newRunFlags(c)
	paths, errs, help := r.parseInput(args, c.getenv) // errs: bad input, reported before any request
	if help != nil {
		return help
	}
	errs = append(errs, r.check()...)
	docs, err := load(paths)
	if err != nil {
		errs = append(errs, err)
	}
	red := &report.Redactor{}
	console := r.out.console(c, red, r.cfg.Verbose)
	r.cfg.Redactor, r.cfg.OnWorkflow, r.cfg.OnHint = red, console.Workflow, console.Hint
	var runner *conformance.Runner
	if len(errs) == 0 {
		if runner, err = conformance.New(r.cfg, docs); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return r.badInputs(red, errs)
	}
	rep := runSuite(ctx, c, red, runner)
	console.Summary(rep)
	if err := r.out.write(rep, red); err != nil {
		return badInput(err)
	}
	return exitWith(rep.ExitCode)
}
