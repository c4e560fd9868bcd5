using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GpuCascade.Backends;
using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Benchmarks;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Commands.Bench;

/// <summary>
/// <c>gpucascade bench</c>: times the backends on a reference workload (<see cref="Workloads"/>) in one process and
/// prints a table of throughputs and the device/managed ratios. Per backend: warm-up runs, then <c>--repeat</c> timed runs
/// (<see cref="DefaultRepeat"/>) whose median is the headline and whose min and max stand beside it, as BenchmarkDotNet
/// shows a spread; ratios are of medians. A quick comparison in one process (bench/GpuCascade.Bench runs BenchmarkDotNet
/// for the full statistics).
/// </summary>
internal static class BenchCommand
{
    /// <summary>
    /// The managed backend runs at most this many paths unless <c>--cpu-paths</c> says otherwise, or one
    /// statistics block per core where that is more: its threads take whole blocks of 1,024 paths, so fewer blocks
    /// than cores would leave cores idle and understate the CPU.
    /// </summary>
    public const long DefaultCpuPaths = 4_096;

    /// <summary>Timed runs per backend unless <c>--repeat</c> says otherwise: an odd count, so the median is one run's.</summary>
    public const int DefaultRepeat = 5;

    /// <summary>The most timed runs <c>--repeat</c> accepts.</summary>
    public const int MaxRepeat = 1_000;

    /// <summary>
    /// The warm-up runs the timed run's paths over this many steps: the same batches and launch sizes as the timed
    /// run (a driver may compile per launch geometry at the first launch), 1/24 of W1's work.
    /// </summary>
    private const int WarmupSteps = 12;

    /// <summary>Warm-up runs repeat until this much time has passed (at most <see cref="MaxWarmupRuns"/>), so the
    /// JIT's tiered compilation has promoted the managed path loop before the clock starts.</summary>
    private static readonly TimeSpan MinWarmup = TimeSpan.FromSeconds(1);

    private const int MaxWarmupRuns = 5;

    /// <summary>One backend's measurement: the seconds of each timed run (<see cref="Runs"/>, none when it failed, and
    /// then <see cref="Error"/> is set); the throughputs are of the median run.</summary>
    private sealed record Row(string Backend, string Description, bool IsManaged, long Paths, IReadOnlyList<double> Runs,
        double? CompileSeconds, double WarmupSeconds, string? Error = null)
    {
        /// <summary>Median, min and max of <see cref="Runs"/> (NaN when there are none).</summary>
        public Spread SecondsSpread { get; } = Runs.Count > 0 ? Spread.Of(Runs) : new Spread(double.NaN, double.NaN, double.NaN);
        /// <summary>The median run's seconds: what every headline throughput divides by.</summary>
        public double Seconds => SecondsSpread.Median;
        /// <summary>The path kernel's registers and local memory, where the device reports them (CUDA).</summary>
        public string? KernelResources { get; init; }
        public double PathsPerSecond => Paths / Seconds;
        /// <summary>The throughput of the slowest run (min) and of the fastest (max).</summary>
        public (double Min, double Max) PathsPerSecondRange => (Paths / SecondsSpread.Max, Paths / SecondsSpread.Min);
        /// <summary>What the timed run did (null when it failed).</summary>
        public RunWork? Work { get; init; }
        /// <summary>Operations and bytes of the timed run.</summary>
        public WorkEstimate? Estimate { get; init; }
        /// <summary>The device's peak rates, where known.</summary>
        public DevicePeak? Peak { get; init; }
        /// <summary>The floor on <see cref="Peak"/>: max(operations / peak, bytes / bandwidth).</summary>
        public double? FloorSeconds { get; init; }
        public double MarginChecksPerSecond => (Work?.MarginChecks ?? double.NaN) / Seconds;
    }

    public static int Run(BenchArguments a, CommandContext context)
    {
        var (stdout, stderr, cancellation, _) = context;
        OutputFiles.Check([("--json", a.JsonPath)]);
        Scenarios.Scenario workload;
        try
        {
            workload = Workloads.ByName(a.Workload);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"--workload: unknown workload '{a.Workload}' (expected {string.Join(" or ", Workloads.Names)})");
        }
        string workloadName = a.Workload.Trim().ToUpperInvariant();
        if (a.Precision is { } precision) workload = workload with { Precision = precision };
        long devicePaths = a.Paths ?? workload.Paths;
        long cpuPaths = a.CpuPaths ?? Math.Min(devicePaths,
            Math.Max(DefaultCpuPaths, (long)SimulationEngine.BlockSize * Environment.ProcessorCount));
        int steps = workload.Steps;
        var plan = SimulationPlan.Build(workload);
        int cohorts = plan.CohortCount;

        var names = a.Backends ?? DefaultBackends(workload.Precision, stderr);
        var backends = new List<ISimulationBackend>();
        try
        {
            // Every backend first, so an unavailable name exits 2 before anything runs.
            foreach (var name in names)
                backends.Add(BackendCatalog.Create(name, workload.Precision, notice: line => stderr.WriteLine(line)));

            var date = DateTimeOffset.UtcNow;
            // With --json - the JSON is stdout's only content; the table goes to stderr.
            var table = a.JsonPath == "-" ? stderr : stdout;
            table.WriteLine($"GpuCascade bench: {Workloads.Describe(workloadName)}; {cohorts:N0} cohorts; " +
                            $"devices in {(workload.Precision == Precision.Single ? "single" : "double")} precision");
            table.WriteLine($"Machine: {Environment.ProcessorCount} processors{CpuModel() switch { null => "", var m => $" ({m})" }}, " +
                             $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}, {date:yyyy-MM-dd HH:mm} UTC");
            table.WriteLine();

            var rows = new List<Row>();
            var notes = new List<string>();
            foreach (var backend in backends)
            {
                bool managed = backend is ManagedBackend;
                // A CPU device (ilgpu-cpu) is as slow as the managed backend: it runs the CPU's paths unless told otherwise.
                bool cpuDevice = backend is IlgpuBackend { Device.IsGpu: false };
                long paths = managed || (cpuDevice && a.Paths is null) ? cpuPaths : devicePaths;
                stderr.WriteLine($"bench: {backend.Name}: warm-up, then {a.Repeat} timed run(s) of {paths:N0} paths ...");
                var row = Measure(backend, workload, paths, managed, a.Repeat, cancellation);
                if (row.Work is { } work) row = row with { Estimate = WorkEstimate.Of(plan, work) };
                if (row.Estimate is { } estimate && backend is IlgpuBackend device)
                {
                    var peak = a.Peak ?? DevicePeak.ForModel(device.Device.Model);
                    row = row with
                    {
                        Peak = peak,
                        FloorSeconds = peak is null ? null : estimate.FloorSeconds(peak, workload.Precision),
                    };
                    if (peak is null && device.Device.IsGpu)
                        notes.Add($"{backend.Name}: no published peak for '{device.Device.Model}'; --peak FP32,FP64,TBPS gives its floor.");
                }
                if (cancellation.IsCancellationRequested)
                {
                    stderr.WriteLine("bench: stopped by Ctrl-C");
                    return ExitCodes.Cancelled;
                }
                if (row.Error is not null) stderr.WriteLine($"error: {backend.Name}: {row.Error}");
                long blocks = (paths + SimulationEngine.BlockSize - 1) / SimulationEngine.BlockSize;
                if (backend is ManagedBackend { Threads: var threads } && blocks < threads)
                    notes.Add($"{backend.Name}: {paths:N0} paths are {blocks} block(s) of 1,024, so only {blocks} of its " +
                              $"{threads} threads worked; --cpu-paths {threads * (long)SimulationEngine.BlockSize} or more uses them all.");
                rows.Add(row);
            }

            table.Write(Table(rows, steps, cohorts, a.Repeat, notes));
            var failures = OutputFiles.WriteAll(stdout,
                ("--json", a.JsonPath, () => Json(workloadName, workload, cohorts, devicePaths, cpuPaths, a.Repeat, date, rows) + Environment.NewLine));
            return ExitCodes.Finish(failures, stderr, rows.Any(r => r.Error is not null) ? ExitCodes.Failure : ExitCodes.Ok);
        }
        finally
        {
            foreach (var b in backends) b.Dispose();
        }
    }

    /// <summary>managed, then every discovered device that can run the precision (the others are named on stderr).</summary>
    private static List<string> DefaultBackends(Precision precision, TextWriter stderr)
    {
        var names = new List<string> { "managed" };
        foreach (var d in IlgpuDevices.All)
        {
            if (d.Unsupported is { } why) stderr.WriteLine($"bench: skipping {d.Name} ({d.Model}): {why}");
            else names.Add(d.Name);
        }
        return names;
    }

    private static Row Measure(ISimulationBackend backend, Scenarios.Scenario workload, long paths, bool managed, int repeat,
        CancellationToken cancellation)
    {
        var device = backend as IlgpuBackend;
        double warmup = 0, compile = 0;
        try
        {
            // Warm-up: compiles the kernel (cached by the device: 0 s when an earlier run compiled it), allocates the
            // device state at the timed run's size and warms the JIT; its time is not part of the measurement.
            var clock = Stopwatch.StartNew();
            var warm = workload with { Steps = Math.Min(workload.Steps, WarmupSteps) };
            for (int run = 0; run < MaxWarmupRuns && (run == 0 || clock.Elapsed < MinWarmup); run++)
            {
                SimulationEngine.Run(warm, new RunOptions { Paths = paths, Backend = backend }, cancellation);
                if (cancellation.IsCancellationRequested) break;
            }
            warmup = clock.Elapsed.TotalSeconds;
            compile = device?.CompileTime.TotalSeconds ?? 0;

            // The engine's own time of the simulation: the attribution's re-simulation of the tail paths (after it, on the
            // CPU, the same for every backend) is not the backend's work. Every run is the same simulation (same seed),
            // so the runs differ only in time; a run stopped by Ctrl-C is not counted.
            var runs = new List<double>(repeat);
            RunResult? result = null;
            for (int run = 0; run < repeat && !cancellation.IsCancellationRequested; run++)
            {
                var r = SimulationEngine.Run(workload, new RunOptions { Paths = paths, Backend = backend }, cancellation);
                if (r.Run.Cancelled) break;
                runs.Add(r.Run.ElapsedSeconds);
                result = r;
            }
            if (result is null)
                return new Row(backend.Name, backend.Description, managed, paths, [], device is null ? null : compile, warmup, "stopped before a timed run");
            return new Row(backend.Name, backend.Description, managed, result.Paths, runs,
                device is null ? null : compile, warmup) { Work = result.Work, KernelResources = device?.KernelResources };
        }
        catch (Exception e) when (e is DeviceException or SimulationException)
        {
            return new Row(backend.Name, backend.Description, managed, paths, [],
                device is null ? null : compile, warmup, e.Message);
        }
    }

    private static string Table(List<Row> rows, int steps, int cohorts, int repeat, List<string> notes)
    {
        var s = new StringBuilder();
        int width = Math.Max(12, rows.Max(r => r.Backend.Length));
        bool floors = rows.Any(r => r.FloorSeconds is not null && r.Error is null);
        s.Append(Invariant($"{"backend".PadRight(width)} {"paths",11} {"runs",5} {"seconds",9} {"paths/s",11} {"path-steps/s",13} {"min",10} {"max",10} {"cohort-evals/s*",16} {"compile s",10} {"warm-up s",10}"));
        s.AppendLine(floors ? Invariant($" {"floor s",10} {"x floor",8}") : "");
        foreach (var r in rows)
        {
            string compile = r.CompileSeconds is double c ? c.ToString("0.00", CultureInfo.InvariantCulture) : "-";
            if (r.Error is not null)
            {
                s.AppendLine(Invariant($"{r.Backend.PadRight(width)} {r.Paths,11:N0}    failed (see the error above)"));
                continue;
            }
            var (min, max) = r.PathsPerSecondRange;
            s.Append(Invariant($"{r.Backend.PadRight(width)} {r.Paths,11:N0} {r.Runs.Count,5} {r.Seconds,9:0.00} {r.PathsPerSecond,11:0.000e+00} {r.PathsPerSecond * steps,13:0.000e+00} {min * steps,10:0.000e+00} {max * steps,10:0.000e+00} {r.MarginChecksPerSecond,16:0.000e+00} {compile,10} {r.WarmupSeconds,10:0.00}"));
            if (floors)
                s.Append(r.FloorSeconds is double f
                    ? Invariant($" {f,10:0.000e+00} {r.Seconds / f,8:0.0}")
                    : Invariant($" {"-",10} {"-",8}"));
            s.AppendLine();
        }
        s.AppendLine();
        var reference = rows.FirstOrDefault(r => r.IsManaged && r.Error is null);
        var devices = rows.Where(r => !r.IsManaged && r.Error is null).ToList();
        if (reference is not null && devices.Count > 0)
        {
            s.AppendLine("Path-steps/s relative to the managed backend (same run, medians):");
            foreach (var d in devices)
                s.AppendLine(Invariant($"  {d.Backend.PadRight(width)} {d.PathsPerSecond / reference.PathsPerSecond,9:0.00}x"));
            s.AppendLine();
        }
        foreach (var r in rows.Where(r => r.Error is null))
            s.AppendLine($"  {r.Backend}: {r.Description}");
        foreach (var r in rows.Where(r => r.Error is null && r.Work is not null))
            s.AppendLine(Invariant($"  {r.Backend}: {r.Work!.MarginChecksPerPathStep:0.###} margin checks per path-step (of {cohorts:N0} cohorts), {r.Work.CohortLiquidations:N0} cohort liquidations"));
        foreach (var r in rows.Where(r => r.KernelResources is not null))
            s.AppendLine($"  {r.Backend}: kernel {r.KernelResources}");
        foreach (var note in notes) s.AppendLine($"note: {note}");
        s.AppendLine($"seconds: the median over the {repeat} timed run(s) (--repeat; runs: those done) of the simulation time of one " +
                     $"SimulationEngine.Run (run.elapsedSeconds: batches and statistics, not the attribution's tail re-simulation), " +
                     $"after warm-up runs of the same paths over {WarmupSteps} steps on the same backend (repeated for " +
                     $"{MinWarmup.TotalSeconds:0} s, {MaxWarmupRuns} runs at most; warm-up s). paths/s, path-steps/s and " +
                     "cohort-evals/s are of that median; min and max: the path-steps/s of the slowest and of the fastest run.");
        s.AppendLine("* cohort evaluations = margin checks performed per second. Exact screening skips the cohorts it proves " +
                     "healthy, so a run checks far fewer than paths x steps x cohorts (the book it covers: in the JSON).");
        s.AppendLine("compile s: the one-time kernel compile in the warm-up (IlgpuBackend.CompileTime), 0 when the " +
                     "device's cache already held the kernel; a driver's own compilation at the first launch " +
                     "counts in warm-up s only. Neither is part of seconds.");
        if (floors)
            s.AppendLine("floor s: max(operations / peak FLOP/s, bytes / bandwidth) for the run's counted work (WorkEstimate: " +
                         "transcendentals count as one operation, integer work as none, and what the kernel keeps in double " +
                         "runs at the FP64 peak in single precision too; a lower bound); x floor = seconds / floor s.");
        return s.ToString();
    }

    private static string Json(string name, Scenarios.Scenario workload, int cohorts, long gpuPaths, long cpuPaths, int repeat, DateTimeOffset date,
        List<Row> rows)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions
               {
                   Indented = true,
                   // A file, not HTML: keep '+' and quotes in device names readable.
                   Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            int steps = workload.Steps;
            w.WriteStartObject();
            w.WriteString("workload", name);
            w.WriteString("description", Workloads.Describe(name));
            w.WriteNumber("workloadPaths", workload.Paths);
            w.WriteNumber("gpuPaths", gpuPaths);
            w.WriteNumber("cpuPaths", cpuPaths);
            w.WriteNumber("repeat", repeat);
            w.WriteNumber("steps", steps);
            w.WriteString("horizon", workload.Horizon.Text);
            w.WriteNumber("assets", workload.Assets.Length);
            w.WriteNumber("cohorts", cohorts);
            w.WriteString("precision", workload.Precision == Precision.Single ? "single" : "double");
            w.WriteString("date", date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

            w.WriteStartObject("machine");
            w.WriteNumber("processorCount", Environment.ProcessorCount);
            if (CpuModel() is { } cpu) w.WriteString("cpuModel", cpu);
            else w.WriteNull("cpuModel");
            w.WriteString("os", RuntimeInformation.OSDescription);
            w.WriteString("dotnet", Environment.Version.ToString());
            w.WriteString("runtime", RuntimeInformation.FrameworkDescription);
            w.WriteString("host", Environment.MachineName);
            w.WriteStartArray("devices");
            foreach (var d in BackendCatalog.List())
            {
                w.WriteStartObject();
                w.WriteString("name", d.Name);
                w.WriteString("model", d.Model);
                w.WriteString("kind", d.Kind);
                w.WriteNumber("memoryBytes", d.MemoryBytes);
                w.WriteNumber("computeUnits", d.ComputeUnits);
                w.WriteString("details", d.Details);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartArray("results");
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("backend", r.Backend);
                w.WriteString("description", r.Description);
                w.WriteNumber("paths", r.Paths);
                // The headline figures are of the median run; the spread beside them, and every run's seconds.
                w.WriteStartArray("runSeconds");
                foreach (double run in r.Runs) w.WriteNumberValue(run);
                w.WriteEndArray();
                Number(w, "seconds", r.Seconds);
                Number(w, "secondsMin", r.SecondsSpread.Min);
                Number(w, "secondsMax", r.SecondsSpread.Max);
                var (min, max) = r.PathsPerSecondRange;
                Number(w, "pathsPerSecond", r.PathsPerSecond);
                Number(w, "pathsPerSecondMin", min);
                Number(w, "pathsPerSecondMax", max);
                Number(w, "pathStepsPerSecond", r.PathsPerSecond * steps);
                Number(w, "pathStepsPerSecondMin", min * steps);
                Number(w, "pathStepsPerSecondMax", max * steps);
                Number(w, "cohortEvaluationsPerSecond", r.MarginChecksPerSecond);
                Number(w, "bookCohortsPerSecond", r.PathsPerSecond * steps * cohorts);
                if (r.Work is { } work) ResultJson.WriteWork(w, work);
                else w.WriteNull("work");
                if (r.Estimate is { } e)
                {
                    w.WriteStartObject("estimate");
                    w.WriteNumber("operations", e.Operations);
                    w.WriteNumber("doubleOperations", e.DoubleOperations);
                    w.WriteNumber("transcendentals", e.Transcendentals);
                    w.WriteNumber("bytes", e.Bytes);
                    w.WriteEndObject();
                }
                else w.WriteNull("estimate");
                if (r.Peak is { } peak && r.FloorSeconds is double floor)
                {
                    w.WriteStartObject("floor");
                    w.WriteString("peakSource", peak.Source);
                    w.WriteNumber("peakFp32FlopsPerSecond", peak.Fp32FlopsPerSecond);
                    w.WriteNumber("peakFp64FlopsPerSecond", peak.Fp64FlopsPerSecond);
                    w.WriteNumber("peakBytesPerSecond", peak.BytesPerSecond);
                    w.WriteNumber("seconds", floor);
                    Number(w, "ratio", r.Seconds / floor);
                    w.WriteEndObject();
                }
                else w.WriteNull("floor");
                if (r.CompileSeconds is double c) w.WriteNumber("compileSeconds", c);
                else w.WriteNull("compileSeconds");
                w.WriteNumber("warmupSeconds", r.WarmupSeconds);
                if (r.KernelResources is not null) w.WriteString("kernelResources", r.KernelResources);
                else w.WriteNull("kernelResources");
                if (r.Error is not null) w.WriteString("error", r.Error);
                else w.WriteNull("error");
                w.WriteEndObject();
            }
            w.WriteEndArray();

            // Device path-steps/s over the managed backend's, both measured in this run: a ratio of medians.
            w.WriteStartObject("ratios");
            var reference = rows.FirstOrDefault(r => r.IsManaged && r.Error is null);
            if (reference is not null)
                foreach (var d in rows.Where(r => !r.IsManaged && r.Error is null))
                    w.WriteNumber(d.Backend, d.PathsPerSecond / reference.PathsPerSecond);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string key, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(key, value);
        else w.WriteNull(key);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The CPU's model name where the OS tells it (Linux /proc/cpuinfo), else null.</summary>
    private static string? CpuModel()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return null;
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>The median, min and max of a sample: the spread bench shows beside its headline (the median).</summary>
internal readonly record struct Spread(double Median, double Min, double Max)
{
    /// <summary>The spread of <paramref name="values"/>: for an even count the median is the mean of the two middle
    /// values. Needs at least one value and no NaN.</summary>
    public static Spread Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("needs at least one value", nameof(values));
        if (values.Any(double.IsNaN)) throw new ArgumentException("a value is NaN", nameof(values));
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(median, sorted[0], sorted[^1]);
    }
}
