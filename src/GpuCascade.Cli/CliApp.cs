using System.Globalization;
using GpuCascade.Backends;
using GpuCascade.Backends.Ilgpu;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Validation;

namespace GpuCascade.Cli;

/// <summary>The <c>gpucascade</c> command line; <see cref="Run"/> is testable without a console.</summary>
public static class CliApp
{
    /// <summary>Success.</summary>
    public const int ExitOk = 0;
    /// <summary>The run failed while computing.</summary>
    public const int ExitFailure = 1;
    /// <summary>Invalid input: a bad scenario or bad arguments.</summary>
    public const int ExitInvalidInput = 2;
    /// <summary>Stopped by Ctrl-C; the partial result was still reported.</summary>
    public const int ExitCancelled = 130;

    private const string Usage = $"""
        Usage:
          gpucascade run [SCENARIO] [options]   simulate a scenario file (YAML or JSON); the embedded default without one
          gpucascade devices                    list every device with its stable name, memory and compute units
          gpucascade selftest [--backend NAME] [--require cuda|opencl]
                                                Philox known answers, parity with the managed backend and the closed
                                                forms on every device (or the named one); non-zero exit on a failure
                                                (--require: also when that API has no device, e.g. on a GPU machine)
          gpucascade bench [options]            time the backends on a reference workload (W0, W1) and compare them
          gpucascade --help | --version

        Options of run:
          --paths N             number of Monte Carlo paths (overrides the scenario)
          --seed S              path seed, 0 .. 2^64-1 (overrides the scenario)
          --backend NAME        auto | managed | ilgpu-cpu | cuda[:i] | opencl[:p:d] | all
                                [auto: CUDA, then an OpenCL GPU, else managed; all: managed plus every GPU at once]
          --threads N           worker threads of the managed backend [all cores]
          --json FILE           write the full result as JSON ('-' for stdout)
          --csv FILE            write the statistics as CSV, one per row ('-' for stdout)
          --quiet               no summary table on stdout

        {BenchCommand.Usage}

        Exit codes: 0 done, 1 failure, 2 invalid scenario or arguments, 130 stopped by Ctrl-C (partial result reported).
        """;

    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default,
        bool progressToTerminal = false)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                stdout.WriteLine(Usage);
                return args.Length == 0 ? ExitInvalidInput : ExitOk;
            }
            if (args[0] == "--version")
            {
                stdout.WriteLine(typeof(SimulationEngine).Assembly.GetName().Version);
                return ExitOk;
            }
            return args[0] switch
            {
                "run" => RunCommand(RunArguments.Parse(args[1..]), stdout, stderr, cancellation, progressToTerminal),
                "devices" => DevicesCommand(stdout),
                "selftest" => SelfTestCommand(args[1..], stdout, stderr),
                "bench" => BenchCommand.Run(args[1..], stdout, stderr, cancellation),
                _ => throw new UsageException($"unknown command '{args[0]}' (expected run, devices, selftest or bench)"),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine("Run 'gpucascade --help' for usage.");
            return ExitInvalidInput;
        }
        catch (BackendUnavailableException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitInvalidInput;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is DeviceException or SimulationException))
        {
            foreach (var inner in e.InnerExceptions) stderr.WriteLine($"error: {inner.Message}");
            return ExitFailure;
        }
        catch (ScenarioException e)
        {
            foreach (var error in e.Errors) stderr.WriteLine($"error: {error}");
            return ExitInvalidInput;
        }
        catch (Exception e) when (e is DeviceException or SimulationException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitFailure;
        }
    }

    private static int RunCommand(RunArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellation,
        bool progressToTerminal)
    {
        var scenario = a.ScenarioPath is null ? ScenarioLoader.LoadDefault() : ScenarioLoader.LoadFile(a.ScenarioPath);
        using var backend = BackendCatalog.Create(a.Backend, scenario.Precision, a.Threads, line => stderr.WriteLine(line));
        using var progress = progressToTerminal ? new ProgressBar(stderr) : null;
        var result = SimulationEngine.Run(scenario, new RunOptions
        {
            Paths = a.Paths,
            Seed = a.Seed,
            Backend = backend,
            Progress = progress,
        }, cancellation);
        progress?.Finish();
        foreach (var warning in result.Warnings) stderr.WriteLine($"warning: {warning}");

        if (a.JsonPath is not null) Write(a.JsonPath, ResultJson.Serialize(result) + Environment.NewLine, stdout);
        if (a.CsvPath is not null) Write(a.CsvPath, ResultCsv.Serialize(result), stdout);
        if (!a.Quiet && a.JsonPath != "-" && a.CsvPath != "-") stdout.Write(SummaryTable.Format(result));
        return result.Run.Cancelled ? ExitCancelled : ExitOk;
    }

    private static int SelfTestCommand(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? only = null, require = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--backend" when i + 1 < args.Length: only = args[++i]; break;
                case "--require" when i + 1 < args.Length && args[i + 1] is "cuda" or "opencl": require = args[++i]; break;
                default: throw new UsageException("selftest takes --backend NAME and --require cuda|opencl");
            }
        }
        if (require is not null && !IlgpuDevices.All.Any(d => d.Api == require && d.Unsupported is null))
        {
            string why = IlgpuDevices.Unavailable.FirstOrDefault(u => u.StartsWith(require + ":", StringComparison.Ordinal))
                         ?? $"{require}: no device that can run the path kernel (see 'gpucascade devices')";
            stderr.WriteLine($"error: --require {require}: {why}");
            return ExitFailure;
        }
        var devices = IlgpuDevices.All.Where(d => d.Unsupported is null && (only is null || d.Name == only)).ToList();
        foreach (var why in IlgpuDevices.Unavailable) stdout.WriteLine($"skipped {why}");
        foreach (var d in IlgpuDevices.All.Where(d => d.Unsupported is not null))
            stdout.WriteLine($"skipped {d.Name} ({d.Model}): {d.Unsupported}");
        if (only is not null && devices.Count == 0)
            throw new BackendUnavailableException($"--backend: no device {only} that can run the path kernel (see 'gpucascade devices')");
        if (devices.Count == 0)
        {
            stdout.WriteLine("no device to check: only the managed backend is available (its checks are the test suite)");
            return ExitOk;
        }
        var results = SelfTest.Run(devices, r =>
            stdout.WriteLine($"{(r.Passed ? "PASS" : "FAIL")}  {r.Device,-12} {r.Check,-50} {r.Seconds,6:0.0}s  {r.Detail}"));
        int failed = results.Count(r => !r.Passed);
        stdout.WriteLine($"{results.Count - failed} passed, {failed} failed on {devices.Count} device(s)");
        return failed == 0 ? ExitOk : ExitFailure;
    }

    private static int DevicesCommand(TextWriter stdout)
    {
        stdout.WriteLine($"{"name",-14} {"kind",-4} {"memory",10} {"units",5}  model / details");
        foreach (var d in BackendCatalog.List())
            stdout.WriteLine($"{d.Name,-14} {d.Kind,-4} {d.MemoryBytes / (1024.0 * 1024 * 1024),7:0.0} GiB {d.ComputeUnits,5}  {d.Model} / {d.Details}");
        foreach (var d in BackendCatalog.List().Where(d => d.Skipped is not null))
            stdout.WriteLine($"({d.Name} is listed but skipped: {d.Skipped})");
        foreach (var why in BackendCatalog.Unavailable)
            stdout.WriteLine($"({why})");
        return ExitOk;
    }

    private static void Write(string path, string text, TextWriter stdout)
    {
        if (path == "-") stdout.Write(text);
        else File.WriteAllText(path, text);
    }
}

/// <summary>A command-line mistake: reported with usage and exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Parsed arguments of <c>gpucascade run</c>.</summary>
internal sealed record RunArguments
{
    public string? ScenarioPath { get; private init; }
    public long? Paths { get; private init; }
    public ulong? Seed { get; private init; }
    public string Backend { get; private init; } = "auto";
    public int? Threads { get; private init; }
    public string? JsonPath { get; private init; }
    public string? CsvPath { get; private init; }
    public bool Quiet { get; private init; }

    public static RunArguments Parse(string[] args)
    {
        var r = new RunArguments();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Length) throw new UsageException($"{arg}: needs a value");
                return args[++i];
            }
            switch (arg)
            {
                case "--paths":
                    r = r with { Paths = ParseInteger(arg, Value(), 1, long.MaxValue) };
                    break;
                case "--seed":
                {
                    string v = Value();
                    if (!ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                        throw new UsageException($"--seed: must be an integer in 0 .. 18446744073709551615, got '{v}'");
                    r = r with { Seed = seed };
                    break;
                }
                case "--backend":
                    r = r with { Backend = Value() };
                    break;
                case "--threads":
                    r = r with { Threads = (int)ParseInteger(arg, Value(), 1, 4096) };
                    break;
                case "--json":
                    r = r with { JsonPath = Value() };
                    break;
                case "--csv":
                    r = r with { CsvPath = Value() };
                    break;
                case "--quiet":
                    r = r with { Quiet = true };
                    break;
                default:
                    if (arg.StartsWith('-') && arg != "-") throw new UsageException($"unknown option '{arg}'");
                    if (r.ScenarioPath is not null) throw new UsageException($"only one scenario file, got '{r.ScenarioPath}' and '{arg}'");
                    r = r with { ScenarioPath = arg };
                    break;
            }
        }
        if (r.JsonPath == "-" && r.CsvPath == "-") throw new UsageException("--json and --csv cannot both write to stdout");
        return r;
    }

    private static long ParseInteger(string option, string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
            throw new UsageException($"{option}: must be an integer in {min} .. {max}, got '{text}'");
        return v;
    }
}
