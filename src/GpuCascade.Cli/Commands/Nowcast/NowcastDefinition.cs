using GpuCascade.Cli.Shared;

namespace GpuCascade.Cli.Commands.Nowcast;

/// <summary>Parsed arguments of <c>gpucascade nowcast</c>.</summary>
internal sealed record NowcastArguments
{
    public required string StatePath { get; init; }
    public long? Paths { get; init; }
    public string Backend { get; init; } = "auto";
    public int? Threads { get; init; }
    public string? JsonPath { get; init; }
    public string? ReportPath { get; init; }
    public string? PlotsDirectory { get; init; }
}

/// <summary>The <c>nowcast</c> command: a state file in, P(cascade) within each horizon out.</summary>
internal static class NowcastDefinition
{
    public static Command Create(CommandTree tree, Func<NowcastArguments, int> nowcast)
    {
        var state = new Option<string>("--state")
        {
            Description = "the state file (YAML): scenario, prices, openInterest, longShort, liquidationMap, depth, asOf, interval, horizons, paths, seed (docs/market-data.md, \"Nowcast\")",
            HelpName = "STATE.yaml", Required = true,
        };
        var paths = new Option<long?>("--paths") { Description = "paths per horizon [the state's, else 4000]", HelpName = "N" };
        var backend = new Option<string>("--backend")
        {
            Description = "auto | managed | ilgpu-cpu | cuda[:i] | opencl[:p:d] [auto: a GPU when there is one, else managed]",
            HelpName = "NAME", DefaultValueFactory = _ => "auto",
        };
        var threads = new Option<int?>("--threads") { Description = "worker threads of the managed backend [all cores]", HelpName = "N" };
        var json = new Option<string?>("--json") { Description = "write the nowcast as JSON ('-' for stdout, then no table)", HelpName = "FILE" };
        var report = new Option<string?>("--report") { Description = "write an HTML report of the horizons' runs", HelpName = "FILE" };
        var plots = ReportOutputs.PlotsOption();
        var command = new Command("nowcast",
            "Nowcast P(cascade) within 1 h and 24 h from what is known now: today's prices and fitted volatilities, the book and depth from positioning data, with intervals, the cohorts that drive it and the liquidation ladder.")
            { state, paths, backend, threads, json, report, plots };
        tree.Examples[command] = """
              gpucascade nowcast --state state.yaml
              gpucascade nowcast --state state.yaml --paths 20000 --json now.json --report now.html
              gpucascade nowcast --state state.yaml --backend cuda        (the GPU, for many paths every few minutes)
            """;
        command.SetAction(r => nowcast(new NowcastArguments
        {
            StatePath = r.GetValue(state)!,
            Paths = r.GetValue(paths),
            Backend = r.GetValue(backend) ?? "auto",
            Threads = r.GetValue(threads),
            JsonPath = r.GetValue(json),
            ReportPath = r.GetValue(report),
            PlotsDirectory = r.GetValue(plots),
        }));
        return command;
    }
}
