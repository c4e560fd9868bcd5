using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using GpuCascade.Scenarios;

namespace GpuCascade.Cli;

/// <summary>
/// The command tree of <c>gpucascade</c> on System.CommandLine: every command has <c>--help</c> with examples, and
/// every mistake is exit 2 with one line per problem that names the option (and the closest valid name for a typo).
/// The commands' work is in <see cref="CliApp"/> and <see cref="BenchCommand"/>; this class only parses.
/// </summary>
internal sealed partial class CommandLine
{
    private readonly Command _root;
    private readonly Dictionary<Command, string> Examples = [];

    // run, compare and calibrate share the scenario argument and the run options (one instance per command)
    private readonly RunOptionSet _runSet, _compareSet, _calibrateSet;
    private readonly Dictionary<Command, RunOptionSet> _sets = [];

    // run
    private readonly Option<string?> _runCheckpoint = new("--checkpoint")
    {
        Description = "save the completed paths' statistics to FILE (atomically) every --checkpoint-every seconds, on a signal and at the end; rerun the same command to resume (or, when complete, to report) with the identical result",
        HelpName = "FILE",
    };
    private readonly Option<int?> _checkpointEvery = new("--checkpoint-every") { Description = "seconds between checkpoints [60]", HelpName = "SECONDS" };
    private readonly Option<(int Index, int Count)?> _shard = new("--shard")
    {
        Description = "simulate only shard I of N (0-based: whole segments of 16,384 paths) and write its statistics to --partial; combine the parts with 'gpucascade merge'",
        HelpName = "I/N",
    };
    private readonly Option<string?> _partial = new("--partial") { Description = "the shard's partial file (with --shard)", HelpName = "FILE" };
    private readonly Option<string?> _series = new("--series")
    {
        Description = "write the outputs over time to FILE: per step and asset, quantiles of the prices and means of liquidations, depth, queue and fund (CSV; JSON when FILE ends in .json, Parquet for .parquet; '-' for stdout)",
        HelpName = "FILE",
    };
    private readonly Option<string[]> _samplePaths = new("--sample-paths")
    {
        Description = "write the full trajectories of paths 0 .. N-1 (N <= 1,000) to FILE, for plots (CSV; JSON when FILE ends in .json, Parquet for .parquet; '-' for stdout)",
        HelpName = "N FILE",
        Arity = new ArgumentArity(2, 2),
        AllowMultipleArgumentsPerToken = true,
    };

    // merge
    private readonly Argument<string[]> _mergeFiles = new("PARTIAL") { Arity = ArgumentArity.OneOrMore, Description = "the partial files of every shard, in any order" };
    private readonly Option<string?> _mergeJson = new("--json") { Description = "write the full result as JSON ('-' for stdout)", HelpName = "FILE" };
    private readonly Option<string?> _mergeCsv = new("--csv") { Description = "write the statistics as CSV ('-' for stdout)", HelpName = "FILE" };
    private readonly Option<bool> _mergeQuiet = new("--quiet") { Description = "no summary table on stdout" };
    private readonly Option<string?> _mergeSeries = new("--series")
        { Description = "write the whole run's outputs over time (the shards ran with --series; CSV, JSON when FILE ends in .json, Parquet for .parquet)", HelpName = "FILE" };
    private readonly Option<string?> _mergeSamplePaths = new("--sample-paths")
        { Description = "write the sample paths (the shards ran with --sample-paths; CSV, JSON when FILE ends in .json, Parquet for .parquet)", HelpName = "FILE" };

    // compare
    private readonly Option<string[]> _compareVary = new("--vary")
    {
        Description = "a scenario key and its values, KEY=V1,V2[,...] (venue.maintenanceMargin, assets[BTC].depth1pct, venue.liquidation.tranche, ...); twice gives the cross product",
        HelpName = "KEY=V1,V2",
        Required = true,
    };

    // compare and calibrate: the rule for a cohort a variant puts below its initial margin (one instance per command)
    private static Option<string> BreachOption() => new("--breach")
    {
        Description = "a cohort that a variant puts below its initial margin IM = M / 0.8: deleverage (scale its positions to IM) or liquidate (in an opening round at the starting prices) [deleverage]",
        HelpName = "deleverage|liquidate",
        DefaultValueFactory = _ => "deleverage",
        CustomParser = r => Parse(r, t => t is "deleverage" or "liquidate" ? t : throw new UsageException($"--breach: expected deleverage or liquidate, got {Echo.Quote(t)}")),
    };
    private readonly Option<string> _compareBreach = BreachOption(), _calibrateBreach = BreachOption();

    // calibrate
    private readonly Option<string> _calibrateVary = new("--vary")
    {
        Description = "the scenario key to calibrate and its range, KEY=LO..HI",
        HelpName = "KEY=LO..HI",
        Required = true,
    };
    private readonly Option<string[]> _target = new("--target")
    {
        Description = "METRIC<=VALUE, VALUE a number or insuranceFund; METRIC probabilities.{anyLiquidation,cascade,badDebt,fundDepleted,adl}, badDebt.{mean,var.L,es.L}, liquidatedNotional.{mean,var.L,es.L}, insuranceFund.uncoveredLoss.mean, adl.lossAbsorbed.mean, queue.maxNotional.mean (L 0.95, 0.99, 0.999); repeat for several",
        HelpName = "METRIC<=VALUE",
        Required = true,
    };
    private readonly Option<int?> _grid = new("--grid") { Description = "evenly spaced candidates including LO and HI [9]", HelpName = "G" };
    private readonly Option<double?> _resolution = new("--resolution") { Description = "bisection stops at this width [(HI - LO) / 1000; 1 for an integer key]", HelpName = "R" };
    private readonly Option<string> _prefer = new("--prefer")
    {
        Description = "low: the smallest feasible value; high: the largest [low]",
        HelpName = "low|high",
        DefaultValueFactory = _ => "low",
    };
    private readonly Option<bool> _estimate = new("--estimate") { Description = "test the point estimates instead of the upper ends of their 95% intervals" };
    private readonly Option<string?> _regimes = new("--regimes")
    {
        Description = "calibrate per volatility regime, NAME=FACTOR,... (diffusion volatility times FACTOR), e.g. calm=0.5,normal=1,stressed=2",
        HelpName = "NAME=F,...",
    };
    private readonly Option<string?> _checkpoint = new("--checkpoint")
    {
        Description = "keep every finished candidate in FILE (atomically); rerun with the same arguments to skip them",
        HelpName = "FILE",
    };
    private readonly Option<string?> _yaml = new("--yaml") { Description = "write the calibrated values as a YAML fragment to paste into a scenario ('-' for stdout)", HelpName = "FILE" };

    // selftest
    private readonly Option<string?> _selftestBackend = new("--backend") { Description = "check only this device (see 'gpucascade devices')", HelpName = "NAME" };
    private readonly Option<string?> _require = new("--require")
    {
        Description = "fail also when this API has no usable device (for a GPU machine)",
        HelpName = "cuda|opencl",
    };

    // bench
    private readonly Option<IReadOnlyList<string>?> _benchBackends = new("--backend")
    {
        Description = "backends to time, one after the other, comma-separated [managed and every device found]",
        HelpName = "NAME[,NAME...]",
    };
    private readonly Option<string> _workload = new("--workload")
    {
        Description = "the reference workload: W0 is CI-sized (2 assets, 64 cohorts, 48 steps, 4,096 paths), W1 1,000,000 paths x 288 steps x 4 assets x 1,024 cross-margin cohorts",
        HelpName = "W0|W1",
        DefaultValueFactory = _ => "W1",
    };
    private readonly Option<long?> _benchPaths = new("--paths") { Description = "paths of the device runs [the workload's on a GPU; --cpu-paths on a CPU device (ilgpu-cpu)]", HelpName = "N" };
    private readonly Option<long?> _cpuPaths = new("--cpu-paths")
    {
        Description = "paths of the managed run [min(N, max(4,096, 1,024 x cores)): the full W1 takes far too long on a CPU]",
        HelpName = "N",
    };
    private readonly Option<Precision?> _precision = new("--precision")
    {
        Description = "the devices' precision [double]; the managed backend always computes in double (the reference)",
        HelpName = "double|single",
    };
    private readonly Option<Benchmarks.DevicePeak?> _peak = new("--peak")
    {
        Description = "the device's peak TFLOP/s (single, double) and TB/s, for the floor [published figures for H100 and H200]",
        HelpName = "FP32,FP64,TBPS",
    };
    private readonly Option<string?> _benchJson = new("--json") { Description = "write the numbers and the machine's facts as JSON ('-' for stdout)", HelpName = "FILE" };
    private readonly Option<int?> _benchRepeat = new("--repeat")
    {
        Description = $"timed runs per backend after its warm-up; the table shows their median, min and max [{BenchCommand.DefaultRepeat}]",
        HelpName = "N",
    };

    private readonly Command _run, _compare, _calibrate, _merge, _devices, _selftest, _bench;

    public CommandLine(Func<RunArguments, int> run, Func<CompareArguments, int> compare, Func<CalibrateArguments, int> calibrate,
        Func<MergeArguments, int> merge, Func<int> devices, Func<string?, string?, int> selftest, Func<BenchArguments, int> bench,
        Func<ReportArguments, int>? report = null,
        Func<ScenarioArguments, int>? scenario = null)
    {
        _require.CustomParser = r => Parse<string?>(r, t => t is "cuda" or "opencl" ? t : throw new UsageException($"--require: expected cuda or opencl, got {Echo.Quote(t)}"));
        _benchBackends.CustomParser = r => Parse<IReadOnlyList<string>?>(r, t =>
        {
            if (r.Tokens.Count > 1) throw new UsageException("--backend: given more than once; list the backends with commas");
            var names = t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (names.Length == 0) throw new UsageException("--backend: needs at least one name");
            if (names.Contains("all"))
                throw new UsageException("--backend: bench times one backend at a time; list them with commas (see 'gpucascade devices')");
            return names;
        });
        _benchPaths.CustomParser = r => Parse<long?>(r, t => Integer("--paths", t, 1, long.MaxValue));
        _cpuPaths.CustomParser = r => Parse<long?>(r, t => Integer("--cpu-paths", t, 1, long.MaxValue));
        _benchRepeat.CustomParser = r => Parse<int?>(r, t => (int)Integer("--repeat", t, 1, BenchCommand.MaxRepeat));
        _workload.CustomParser = r => Parse(r, t => Benchmarks.Workloads.Names.Contains(t.Trim().ToUpperInvariant()) ? t
            : throw new UsageException($"--workload: unknown workload {Echo.Quote(t)} (expected {string.Join(" or ", Benchmarks.Workloads.Names)})"));
        _precision.CustomParser = r => Parse<Precision?>(r, t => t.Trim().ToLowerInvariant() switch
        {
            "double" => Precision.Double,
            "single" => Precision.Single,
            _ => throw new UsageException($"--precision: expected double or single, got {Echo.Quote(t)}"),
        });
        _peak.CustomParser = r => Parse<Benchmarks.DevicePeak?>(r, t =>
        {
            try
            {
                return Benchmarks.DevicePeak.Parse(t);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--peak: {e.Message}");
            }
        });
        _run = new Command("run", "Simulate a scenario and report the risk figures with their intervals.");
        _runSet = new RunOptionSet(_run, "a YAML or JSON scenario file (.json is read as JSON); the embedded default scenario when absent");
        _sets[_run] = _runSet;
        Examples[_run] = """
              gpucascade run                                   the embedded default scenario, 20,000 paths
              gpucascade run venue.yaml --paths 200000 --json result.json
              gpucascade run venue.yaml --backend cuda:0 --seed 7 --quiet --csv result.csv
              gpucascade run venue.yaml --paths 100000000 --checkpoint night.ckpt --log night.log --json night.json
                                                               (interrupted? run the same command again to resume)
              gpucascade run scenarios/flash-crash.yaml --series fc.csv --sample-paths 20 paths.json
                                                               (quantiles and means per step; 20 trajectories for plots)
              gpucascade run venue.yaml --paths 1000000 --paths-out paths.parquet
                                                               (every path's outputs, one row per path, for pandas/polars/DuckDB)
            """;
        _checkpointEvery.CustomParser = r => Parse<int?>(r, t => (int)Integer("--checkpoint-every", t, 1, 86400));
        _shard.CustomParser = r => Parse<(int, int)?>(r, t =>
        {
            var parts = t.Split('/');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && i < n)
                return (i, n);
            throw new UsageException($"--shard: expected I/N with 0 <= I < N (such as 0/4, as SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT), got {Echo.Quote(t)}");
        });
        _run.Options.Add(_runCheckpoint);
        _run.Options.Add(_checkpointEvery);
        _run.Options.Add(_shard);
        _run.Options.Add(_partial);
        _run.Options.Add(_series);
        _run.Options.Add(_samplePaths);
        _run.Options.Add(_pathsOut);
        _run.Validators.Add(r =>
        {
            bool shard = r.GetResult(_shard) is not null, partial = r.GetResult(_partial) is not null;
            if (shard != partial) r.AddError(shard ? "--shard needs --partial FILE (where the shard's statistics go)" : "--partial needs --shard I/N");
            if (shard && r.GetResult(_runCheckpoint) is not null) r.AddError("--shard and --checkpoint: a shard is rerun whole if stopped; give one of them");
            if (r.GetResult(_samplePaths) is { Tokens: [var n, _] })
            {
                try
                {
                    Integer("--sample-paths", n.Value, 1, Statistics.SamplePaths.MaxCount);
                }
                catch (UsageException e)
                {
                    r.AddError($"{e.Message} (the number of paths comes first: --sample-paths N FILE)");
                }
            }
        });
        _run.SetAction(r => run(_runSet.Read(r) with
        {
            CheckpointPath = r.GetValue(_runCheckpoint),
            CheckpointEverySeconds = r.GetValue(_checkpointEvery) ?? 60,
            Shard = r.GetValue(_shard),
            PartialPath = r.GetValue(_partial),
            SeriesPath = r.GetValue(_series),
            SamplePaths = SamplePathCount(r.GetValue(_samplePaths)),
            SamplePathsFile = r.GetValue(_samplePaths) is [_, var file] ? file : null,
            PathsOutPath = r.GetValue(_pathsOut),
        }));

        _merge = new Command("merge", "Merge the partial files of a sharded run into its result, identical to the one-shot run's; every part is checked.")
            { _mergeFiles, _mergeJson, _mergeCsv, _mergeQuiet, _mergeSeries, _mergeSamplePaths };
        Examples[_merge] = """
              gpucascade run venue.yaml --paths 4000000 --shard 0/4 --partial part0.bin   (and 1/4, 2/4, 3/4 elsewhere)
              gpucascade merge part*.bin --json result.json
            """;
        _merge.SetAction(r => merge(new MergeArguments
        {
            Files = r.GetValue(_mergeFiles) ?? [],
            JsonPath = r.GetValue(_mergeJson),
            CsvPath = r.GetValue(_mergeCsv),
            Quiet = r.GetValue(_mergeQuiet),
            SeriesPath = r.GetValue(_mergeSeries),
            SamplePathsFile = r.GetValue(_mergeSamplePaths),
            CommandLine = CliApp.CommandLineText(r.Tokens.Select(t => t.Value)),
        }));

        _compare = new Command("compare",
            "Run variants of a scenario on the same paths and report every figure's difference to the first variant, with paired and unpaired 95% intervals.");
        _compareSet = new RunOptionSet(_compare, "the scenario whose variants are compared (YAML or JSON); the embedded default when absent");
        _sets[_compare] = _compareSet;
        _compare.Options.Add(_compareVary);
        _compare.Options.Add(_compareBreach);
        Examples[_compare] = """
              gpucascade compare --vary venue.insuranceFund=0,1e9
              gpucascade compare venue.yaml --vary venue.maintenanceMargin=0.005,0.01,0.02 --paths 100000 --json cmp.json
              gpucascade compare --vary venue.oracleDelaySteps=0,2 --vary venue.liquidation.tranche=1,0.25   (a 2 x 2 grid)
            """;
        _compare.SetAction(r => compare(new CompareArguments
        {
            Run = _compareSet.Read(r), Vary = r.GetValue(_compareVary) ?? [], LiquidateBreaches = r.GetValue(_compareBreach) == "liquidate",
        }));

        _calibrate = new Command("calibrate",
            "Find the value of a scenario key (a margin, a fund) that keeps risk figures below bounds, on common random numbers; exit 3 if no value in the range does, 4 if the chosen one fails when rerun on fresh paths (out of sample).");
        _calibrateSet = new RunOptionSet(_calibrate, "the scenario to calibrate (YAML or JSON); the embedded default when absent");
        _sets[_calibrate] = _calibrateSet;
        _grid.CustomParser = r => Parse<int?>(r, t => (int)Integer("--grid", t, 2, 1000));
        _resolution.CustomParser = r => Parse<double?>(r, t => ScenarioNumbers.TryParseDouble(t, out double v) && v > 0 && double.IsFinite(v) ? v
            : throw new UsageException($"--resolution: must be a number > 0, got {Echo.Quote(t)}"));
        _prefer.CustomParser = r => Parse(r, t => t is "low" or "high" ? t : throw new UsageException($"--prefer: expected low or high, got {Echo.Quote(t)}"));
        foreach (var option in new Option[] { _calibrateVary, _target, _grid, _resolution, _prefer, _estimate, _regimes, _calibrateBreach, _checkpoint, _yaml })
            _calibrate.Options.Add(option);
        Examples[_calibrate] = """
              gpucascade calibrate --vary venue.maintenanceMargin.ETH=0.004..0.05 --target 'badDebt.es.0.99<=insuranceFund'
              gpucascade calibrate venue.yaml --vary venue.maintenanceMargin=0.005..0.05 --target 'probabilities.fundDepleted<=0.01' \
                  --target 'badDebt.var.0.999<=2e8' --regimes calm=0.5,normal=1,stressed=2 --checkpoint cal.ckpt --json cal.json
              gpucascade calibrate single.yaml --vary venue.maintenanceMargin=0.01..0.3 --target 'probabilities.anyLiquidation<=0.05' --estimate --prefer high
            """;
        _calibrate.SetAction(r => calibrate(new CalibrateArguments
        {
            Run = _calibrateSet.Read(r),
            Vary = r.GetValue(_calibrateVary)!,
            Targets = r.GetValue(_target) ?? [],
            Grid = r.GetValue(_grid) ?? 9,
            Resolution = r.GetValue(_resolution),
            PreferHigh = r.GetValue(_prefer) == "high",
            Estimate = r.GetValue(_estimate),
            Regimes = r.GetValue(_regimes),
            CheckpointPath = r.GetValue(_checkpoint),
            YamlPath = r.GetValue(_yaml),
            LiquidateBreaches = r.GetValue(_calibrateBreach) == "liquidate",
        }));

        _devices = new Command("devices", "List every device with its stable name, memory and compute units, and why others cannot be used.");
        Examples[_devices] = """
              gpucascade devices
            """;
        _devices.SetAction(_ => devices());

        _selftest = new Command("selftest",
            "Check every ILGPU device (or the named one): Philox known answers, parity with the managed backend, the closed forms; exit 1 on any failure.")
            { _selftestBackend, _require };
        Examples[_selftest] = """
              gpucascade selftest
              gpucascade selftest --backend cuda:0 --require cuda   on a GPU machine: fail if CUDA is unusable
            """;
        _selftest.SetAction(r => selftest(r.GetValue(_selftestBackend), r.GetValue(_require)));

        _bench = new Command("bench", "Time the backends on a reference workload (W0, W1) in one process and compare them.")
            { _benchBackends, _workload, _benchPaths, _cpuPaths, _benchRepeat, _precision, _peak, _benchJson };
        Examples[_bench] = """
              gpucascade bench --workload W0
              gpucascade bench --workload W1 --backend managed,cuda:0 --precision single --json bench.json
            """;
        _bench.SetAction(r => bench(new BenchArguments
        {
            Backends = r.GetValue(_benchBackends),
            Workload = r.GetValue(_workload)!,
            Paths = r.GetValue(_benchPaths),
            CpuPaths = r.GetValue(_cpuPaths),
            Precision = r.GetValue(_precision),
            Peak = r.GetValue(_peak),
            JsonPath = r.GetValue(_benchJson),
            Repeat = r.GetValue(_benchRepeat) ?? BenchCommand.DefaultRepeat,
        }));

        // A plain command as the root, so that usage lines say gpucascade whatever the executable is called.
        _root = new Command("gpucascade", "GpuCascade: Monte Carlo liquidation cascades in leveraged markets.")
            { _run, _compare, _calibrate, _merge, _devices, _selftest, _bench };
        if (scenario is not null) _root.Subcommands.Add(ScenarioCommandTree(scenario));
        if (report is not null) _root.Subcommands.Add(ReportCommand.Declare(report, Examples));
        var help = new HelpOption();
        help.Action = new HelpWithExamples((HelpAction)help.Action!, Examples);
        _root.Options.Add(help);
        _root.Options.Add(new VersionOption { Action = new PrintVersion() });
        Examples[_root] = """
              gpucascade run                 simulate the embedded default scenario
              gpucascade compare --vary venue.insuranceFund=0,1e9
              gpucascade calibrate --vary venue.maintenanceMargin.ETH=0.004..0.05 --target 'badDebt.es.0.99<=insuranceFund'
              gpucascade scenario default    the default scenario as YAML, to start your own from
              gpucascade run --help          the options of a command
              gpucascade devices
            """;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>; a parse error is reported on <paramref name="stderr"/> and returns
    /// <see cref="CliApp.ExitInvalidInput"/> before anything runs.
    /// </summary>
    public int Invoke(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is ["help", .. var rest]) args = [.. rest, "--help"];
        // No response files: '@out.json' is a file name here, not a file of arguments.
        var result = _root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (args.Length == 0)
        {
            _root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
            return CliApp.ExitInvalidInput;
        }
        if (result.Errors.Count > 0 && result.Action is not HelpWithExamples) // --help with a required option missing is still help
        {
            var command = result.CommandResult.Command;
            // "Required command was not provided" says nothing more when the word given was not a command.
            var errors = result.Errors.Count > 1
                ? result.Errors.Where(e => !e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
                : result.Errors;
            foreach (var message in errors.Select(e => Explain(e.Message, command, result, args)).OfType<string>().Distinct())
                stderr.WriteLine($"error: {message}");
            stderr.WriteLine(command == _root ? "Run 'gpucascade --help' for usage." : $"Run 'gpucascade {CommandPath(command)} --help' for usage.");
            return CliApp.ExitInvalidInput;
        }
        return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>System.CommandLine's own messages, in the words of the rest of the CLI (naming the option, suggesting).</summary>
    private string? Explain(string message, Command command, ParseResult result, string[] args)
    {
        if (MissingValue().Match(message) is { Success: true } missing)
            return missing.Groups[1].Value == "--sample-paths" ? "--sample-paths: needs N FILE (how many paths, then the file)" : $"{missing.Groups[1].Value}: needs a value";
        if (GivenTwice().Match(message) is { Success: true } twice) return $"{twice.Groups[1].Value}: given more than once; give it once";
        if (ExplainScenario(message, command) is { } aboutScenario) return aboutScenario;
        if (message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            return $"a command is needed ({Commands()})";
        if (Unrecognized().Match(message) is not { Success: true } unknown) return message;
        string token = unknown.Groups[1].Value;
        if (command == _root)
            return $"unknown command {Echo.Quote(token)} (expected {Commands()}){Scenarios.DidYouMean.Hint(token, _root.Subcommands.Select(c => c.Name))}";
        if (token.StartsWith('-') && token != "-") return UnknownOption(token, command);
        if (_sets.TryGetValue(command, out var set))
            return Token(result.GetResult(set.Scenario)) is { } first && first.StartsWith('-')
                ? null // the first was an unknown option, already reported
                : $"only one scenario file, got {Echo.Quote(Token(result.GetResult(set.Scenario)))} and {Echo.Quote(token)}";
        // The value of an unknown option (bench --cpu-path 3) is not a second mistake.
        int at = Array.IndexOf(args, token);
        if (at > 0 && args[at - 1].StartsWith('-') && !command.Options.Any(o => o.Name == args[at - 1] || o.Aliases.Contains(args[at - 1])))
            return null;
        return $"{command.Name} takes no file or argument, got {Echo.Quote(token)}";
    }

    /// <summary>"run, compare, ... or bench": the commands, for messages.</summary>
    private string Commands()
    {
        var names = _root.Subcommands.Select(c => c.Name).ToList();
        return names.Count < 2 ? string.Join("", names) : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }

    /// <summary>The last token given to an option or argument, without converting it (conversion may have failed).</summary>
    private static string? Token(SymbolResult? result) => result is { Tokens.Count: > 0 } ? result.Tokens[^1].Value : null;

    /// <summary>The usual help, then the command's examples and the exit codes.</summary>
    private sealed class HelpWithExamples(HelpAction help, Dictionary<Command, string> examples) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int code = help.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                output.WriteLine("Examples:");
                output.Write(text.TrimEnd('\n', ' ') + "\n");
                output.WriteLine();
            }
            output.WriteLine("Exit codes: 0 done, 1 failure, 2 invalid scenario, input file or arguments, 3 calibration target unreachable (no feasible value), " +
                             "4 calibrated value fails the out-of-sample check, 130/143/129 stopped by Ctrl-C/SIGTERM/SIGHUP (what finished is written).");
            return code;
        }
    }

    /// <summary><c>--version</c>: the name, the version and the git commit.</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Reporting.EngineInfo.Describe());
            return CliApp.ExitOk;
        }
    }

    private static string UnknownOption(string token, Command command) =>
        $"unknown option {Echo.Quote(token)} of {command.Name}{Scenarios.DidYouMean.Hint(token, command.Options.Select(o => o.Name))}";

    [GeneratedRegex("^Required argument missing for option: '(.+)'")]
    private static partial Regex MissingValue();

    [GeneratedRegex("^Option '(.+)' expects a single argument but")]
    private static partial Regex GivenTwice();

    [GeneratedRegex("^Unrecognized command or argument '(.+)'")]
    private static partial Regex Unrecognized();

    /// <summary>Runs an option's parser on its single token; a <see cref="UsageException"/> becomes the parse error.</summary>
    private static T? Parse<T>(ArgumentResult result, Func<string, T> parse)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        try
        {
            return parse(token);
        }
        catch (UsageException e)
        {
            result.AddError(e.Message);
            return default;
        }
    }

    /// <summary>N of <c>--sample-paths N FILE</c> (0 when absent); the parser has checked it.</summary>
    private static int SamplePathCount(string[]? values) =>
        values is [var n, _] ? (int)Integer("--sample-paths", n, 1, Statistics.SamplePaths.MaxCount) : 0;

    private static long Integer(string option, string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
            throw new UsageException($"{option}: must be an integer in {min} .. {max}, got {Echo.Quote(text)}");
        return v;
    }

    /// <summary>The scenario argument and the options of a run, as run, compare and calibrate take them.</summary>
    private sealed class RunOptionSet
    {
        public readonly Argument<string?> Scenario;
        private readonly Option<long?> _paths = new("--paths") { Description = "number of Monte Carlo paths (overrides the scenario)", HelpName = "N" };
        private readonly Option<ulong?> _seed = new("--seed") { Description = "path seed, 0 .. 2^64-1 (overrides the scenario)", HelpName = "S" };
        private readonly Option<string> _backend = new("--backend")
        {
            Description = "auto | managed | ilgpu-cpu | cuda[:i] | opencl[:p:d] | all [auto: CUDA, then an OpenCL GPU, else managed; all: managed plus every GPU at once]",
            HelpName = "NAME",
            DefaultValueFactory = _ => "auto",
        };
        private readonly Option<int?> _threads = new("--threads") { Description = "worker threads of the managed backend [all cores]", HelpName = "N" };
        private readonly Option<string?> _json = new("--json") { Description = "write the full result as JSON ('-' for stdout)", HelpName = "FILE" };
        private readonly Option<string?> _csv = new("--csv") { Description = "write the statistics as CSV, one per row ('-' for stdout)", HelpName = "FILE" };
        private readonly Option<bool> _quiet = new("--quiet") { Description = "no summary table on stdout" };
        private readonly Option<string?> _log = new("--log")
        {
            Description = "append the run's manifest (engine, command, scenario hash, memory estimate), a progress line every 10 s and how it ended to FILE",
            HelpName = "FILE",
        };
        private readonly Option<string?> _report = new("--report")
        {
            Description = "write the HTML report of the result to FILE: one self-contained page with tables and charts (run: with the outputs over time when --series is given)",
            HelpName = "FILE",
        };
        private readonly Option<string?> _plots = new("--plots") { Description = "write each chart of the report as a PNG into DIR (created if absent)", HelpName = "DIR" };

        public RunOptionSet(Command command, string scenarioDescription)
        {
            Scenario = new Argument<string?>("SCENARIO") { Arity = ArgumentArity.ZeroOrOne, Description = scenarioDescription };
            _paths.CustomParser = r => Parse<long?>(r, t => Integer("--paths", t, 1, long.MaxValue));
            _seed.CustomParser = r => Parse<ulong?>(r, t => ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s
                : throw new UsageException($"--seed: must be an integer in 0 .. 18446744073709551615, got {Echo.Quote(t)}"));
            _threads.CustomParser = r => Parse<int?>(r, t => (int)Integer("--threads", t, 1, 4096));
            Scenario.Validators.Add(r =>
            {
                if (r.Tokens.Count == 1 && r.Tokens[0].Value is var v && v.StartsWith('-') && v != "-")
                    r.AddError(UnknownOption(v, command));
            });
            command.Arguments.Add(Scenario);
            foreach (var option in new Option[] { _paths, _seed, _backend, _threads, _json, _csv, _quiet, _log, _report, _plots }) command.Options.Add(option);
            command.Validators.Add(r =>
            {
                if (Token(r.GetResult(_json)) == "-" && Token(r.GetResult(_csv)) == "-") r.AddError("--json and --csv cannot both write to stdout");
            });
        }

        public RunArguments Read(ParseResult r) => new()
        {
            ScenarioPath = r.GetValue(Scenario),
            Paths = r.GetValue(_paths),
            Seed = r.GetValue(_seed),
            Backend = r.GetValue(_backend)!,
            Threads = r.GetValue(_threads),
            JsonPath = r.GetValue(_json),
            CsvPath = r.GetValue(_csv),
            Quiet = r.GetValue(_quiet),
            LogPath = r.GetValue(_log),
            ReportPath = r.GetValue(_report),
            PlotsDirectory = r.GetValue(_plots),
            CommandLine = CliApp.CommandLineText(r.Tokens.Select(t => t.Value)),
        };
    }
}
