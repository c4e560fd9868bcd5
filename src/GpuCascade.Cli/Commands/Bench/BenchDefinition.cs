using GpuCascade.Benchmarks;
using GpuCascade.Operations;
using static GpuCascade.Cli.Shared.OptionParsing;

namespace GpuCascade.Cli.Commands.Bench;

/// <summary>Parsed arguments of <c>gpucascade bench</c>.</summary>
internal sealed record BenchArguments
{
    public IReadOnlyList<string>? Backends { get; init; }
    public string Workload { get; init; } = "W1";
    public long? Paths { get; init; }
    public long? CpuPaths { get; init; }
    public string? JsonPath { get; init; }
    public Precision? Precision { get; init; }
    public DevicePeak? Peak { get; init; }
    /// <summary>Timed runs per backend (<c>--repeat</c>).</summary>
    public int Repeat { get; init; } = BenchCommand.DefaultRepeat;
}

/// <summary>The <c>bench</c> command: the backends, the workload and its sizes, the precision, the device's peak, the
/// JSON file and the examples.</summary>
internal static class BenchDefinition
{
    public static Command Create(CommandTree tree, Func<BenchArguments, int> bench)
    {
        var backends = new Option<IReadOnlyList<string>?>("--backend")
        {
            Description = "backends to time, one after the other, comma-separated [managed and every device found]",
            HelpName = "NAME[,NAME...]",
        };
        var workload = new Option<string>("--workload")
        {
            Description = "the reference workload: W0 is CI-sized (2 assets, 64 cohorts, 48 steps, 4,096 paths), W1 1,000,000 paths x 288 steps x 4 assets x 1,024 cross-margin cohorts",
            HelpName = "W0|W1",
            DefaultValueFactory = _ => "W1",
        };
        var paths = new Option<long?>("--paths") { Description = "paths of the device runs [the workload's on a GPU; --cpu-paths on a CPU device (ilgpu-cpu)]", HelpName = "N" };
        var cpuPaths = new Option<long?>("--cpu-paths")
        {
            Description = "paths of the managed run [min(N, max(4,096, 1,024 x cores)): the full W1 takes far too long on a CPU]",
            HelpName = "N",
        };
        var precision = new Option<Precision?>("--precision")
        {
            Description = "the devices' precision [double]; the managed backend always computes in double (the reference)",
            HelpName = "double|single",
        };
        var peak = new Option<DevicePeak?>("--peak")
        {
            Description = "the device's peak TFLOP/s (single, double) and TB/s, for the floor [published figures for H100 and H200]",
            HelpName = "FP32,FP64,TBPS",
        };
        var json = new Option<string?>("--json") { Description = "write the numbers and the machine's facts as JSON ('-' for stdout)", HelpName = "FILE" };
        var repeat = new Option<int?>("--repeat")
        {
            Description = $"timed runs per backend after its warm-up; the table shows their median, min and max [{BenchCommand.DefaultRepeat}]",
            HelpName = "N",
        };
        backends.CustomParser = r => Parse<IReadOnlyList<string>?>(r, t =>
        {
            if (r.Tokens.Count > 1) throw new UsageException("--backend: given more than once; list the backends with commas");
            var names = t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (names.Length == 0) throw new UsageException("--backend: needs at least one name");
            if (names.Contains("all"))
                throw new UsageException("--backend: bench times one backend at a time; list them with commas (see 'gpucascade devices')");
            return names;
        });
        paths.CustomParser = r => Parse<long?>(r, t => Integer("--paths", t, 1, long.MaxValue));
        cpuPaths.CustomParser = r => Parse<long?>(r, t => Integer("--cpu-paths", t, 1, long.MaxValue));
        repeat.CustomParser = r => Parse<int?>(r, t => (int)Integer("--repeat", t, 1, BenchCommand.MaxRepeat));
        workload.CustomParser = r => Parse(r, t => Workloads.Names.Contains(t.Trim().ToUpperInvariant()) ? t
            : throw new UsageException($"--workload: unknown workload {Echo.Quote(t)} (expected {string.Join(" or ", Workloads.Names)})"));
        precision.CustomParser = r => Parse<Precision?>(r, t => t.Trim().ToLowerInvariant() switch
        {
            "double" => Precision.Double,
            "single" => Precision.Single,
            _ => throw new UsageException($"--precision: expected double or single, got {Echo.Quote(t)}"),
        });
        peak.CustomParser = r => Parse<DevicePeak?>(r, t =>
        {
            try
            {
                return DevicePeak.Parse(t);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--peak: {e.Message}");
            }
        });
        var command = new Command("bench", "Time the backends on a reference workload (W0, W1) in one process and compare them.")
            { backends, workload, paths, cpuPaths, repeat, precision, peak, json };
        tree.Examples[command] = """
              gpucascade bench --workload W0
              gpucascade bench --workload W1 --backend managed,cuda:0 --precision single --json bench.json
            """;
        command.SetAction(r => bench(new BenchArguments
        {
            Backends = r.GetValue(backends),
            Workload = r.GetValue(workload)!,
            Paths = r.GetValue(paths),
            CpuPaths = r.GetValue(cpuPaths),
            Precision = r.GetValue(precision),
            Peak = r.GetValue(peak),
            JsonPath = r.GetValue(json),
            Repeat = r.GetValue(repeat) ?? BenchCommand.DefaultRepeat,
        }));
        return command;
    }
}
