using System.Globalization;
using GpuCascade.Operations;
using static GpuCascade.Cli.Shared.OptionParsing;

namespace GpuCascade.Cli.Shared;

/// <summary>The scenario argument and the options of a run, as run, compare and calibrate take them (one instance per
/// command).</summary>
internal sealed class RunOptionSet
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
    private readonly Option<string?> _plots = ReportOutputs.PlotsOption();

    /// <summary>Adds the argument and the options to <paramref name="command"/>; a second file name is worded as such.</summary>
    public RunOptionSet(CommandTree tree, Command command, string scenarioDescription)
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
        tree.ExtraArgument[command] = (result, token) =>
            Token(result.GetResult(Scenario)) is { } first && first.StartsWith('-')
                ? null // the first was an unknown option, already reported
                : $"only one scenario file, got {Echo.Quote(Token(result.GetResult(Scenario)))} and {Echo.Quote(token)}";
    }

    public ScenarioRunArguments Read(ParseResult r) => new()
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
        CommandLine = CommandLineText(r.Tokens.Select(t => t.Value)),
    };

    /// <summary>compare's and calibrate's <c>--breach</c>: the rule for a cohort a variant puts below its initial margin
    /// (one instance per command).</summary>
    public static Option<string> BreachOption() => new("--breach")
    {
        Description = "a cohort that a variant puts below its initial margin IM = M / 0.8: deleverage (scale its positions to IM) or liquidate (in an opening round at the starting prices) [deleverage]",
        HelpName = "deleverage|liquidate",
        DefaultValueFactory = _ => "deleverage",
        CustomParser = r => Parse(r, t => t is "deleverage" or "liquidate" ? t : throw new UsageException($"--breach: expected deleverage or liquidate, got {Echo.Quote(t)}")),
    };
}

/// <summary>The scenario argument and the run options of run, compare and calibrate, parsed.</summary>
internal record ScenarioRunArguments
{
    public string? ScenarioPath { get; init; }
    public long? Paths { get; init; }
    public ulong? Seed { get; init; }
    public string Backend { get; init; } = "auto";
    public int? Threads { get; init; }
    public string? JsonPath { get; init; }
    public string? CsvPath { get; init; }
    public bool Quiet { get; init; }
    public string? CommandLine { get; init; }
    public string? LogPath { get; init; }
    public string? ReportPath { get; init; }
    public string? PlotsDirectory { get; init; }
}
