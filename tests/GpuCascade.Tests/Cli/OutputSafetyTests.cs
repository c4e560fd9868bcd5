using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuCascade.Cli;
using GpuCascade.Cli.Shared;

namespace GpuCascade.Tests.Cli;

/// <summary>A night's run never ends in "cannot write", never destroys its input, and leaves its result on a signal.</summary>
public class OutputSafetyTests : CliTestBase
{

    private string Scenario()
    {
        string path = Path.Combine(_dir, "s.yaml");
        File.WriteAllText(path, GpuCascade.Scenarios.ScenarioLoader.DefaultScenarioText.Replace("paths: 20000", "paths: 1024"));
        return path;
    }

    [Test]
    public void TheScenarioFileIsNeverOverwritten()
    {
        string s = Scenario();
        string before = File.ReadAllText(s);
        var (code, output, err) = Run("run", s, "--json", s);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(err, Does.Contain("--json: ").And.Contain("is the scenario file; writing the result there would destroy it"));
        Assert.That(output, Is.Empty, "nothing ran");
        Assert.That(File.ReadAllText(s), Is.EqualTo(before));
        Assert.That(Run("compare", s, "--vary", "venue.insuranceFund=0,1", "--csv", s).Code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(Run("calibrate", s, "--vary", "venue.insuranceFund=0..1", "--target", "badDebt.mean<=1", "--checkpoint", s).Code,
            Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(File.ReadAllText(s), Is.EqualTo(before));
    }

    [Test]
    public void TwoOutputsOnOneFileAreRefused()
    {
        string o = Path.Combine(_dir, "o");
        var (code, _, err) = Run("run", "--paths", "1024", "--json", o, "--csv", o);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(err, Does.Contain("--json and --csv both write"));
        Assert.That(File.Exists(o), Is.False);
    }

    [TestCase("--json", "", "--json: needs a file name")]
    [TestCase("--csv", "/nonexistent-dir/r.csv", "--csv: the directory /nonexistent-dir does not exist")]
    [TestCase("--json", "/tmp", "--json: /tmp is a directory")]
    public void BadOutputsAreRefusedBeforeTheRun(string option, string path, string message)
    {
        var clock = Stopwatch.StartNew();
        var (code, output, err) = Run("run", "--paths", "1000000", option, path);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(err, Does.Contain(message));
        Assert.That(output, Is.Empty);
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(30), "refused before a million paths ran");
    }

    [Test]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AnUnwritableDirectoryIsNamed()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("permissions are POSIX's");
        string locked = Path.Combine(_dir, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            // root may write anywhere: then the check (rightly) passes, and there is nothing to test
            bool writable = true;
            try { File.WriteAllText(Path.Combine(locked, "x"), ""); } catch (UnauthorizedAccessException) { writable = false; }
            if (writable) Assert.Ignore("running as root: every directory is writable");
            var (code, _, err) = Run("run", "--paths", "1024", "--json", Path.Combine(locked, "r.json"));
            Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
            Assert.That(err, Does.Contain("--json: cannot write in"));
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Test]
    public void WritesAreAtomicAndReplaceTheOldFile()
    {
        string json = Path.Combine(_dir, "r.json");
        File.WriteAllText(json, "old");
        Assert.That(Run("run", "--paths", "1024", "--quiet", "--json", json).Code, Is.Zero);
        Assert.That(JsonNode.Parse(File.ReadAllText(json))!["paths"]!.GetValue<long>(), Is.EqualTo(1024));
        Assert.That(Directory.GetFiles(_dir, "*.tmp"), Is.Empty, "no temporary file left behind");
    }

    [Test]
    public void AFailedOutputDoesNotStopTheOthersNorTheSummary()
    {
        // The CSV's directory disappears during the run: the JSON is still written and the summary printed; exit 1.
        string gone = Path.Combine(_dir, "gone");
        Directory.CreateDirectory(gone);
        string json = Path.Combine(_dir, "r.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var progress = 0;
        int code = CliApp.Run(["run", "--paths", "4096", "--json", json, "--csv", Path.Combine(gone, "r.csv")], stdout,
            new CallbackWriter(stderr, () => { if (progress++ == 0 && Directory.Exists(gone)) Directory.Delete(gone); }));
        Assert.That(code, Is.EqualTo(ExitCodes.Failure), stderr.ToString());
        Assert.That(File.Exists(json), Is.True);
        Assert.That(stdout.ToString(), Does.Contain("any liquidation"));
        Assert.That(stderr.ToString(), Does.Contain("error: --csv: could not write"));
    }

    /// <summary>Deletes the directory on the first line written to stderr (the backend's choice, before the run).</summary>
    private sealed class CallbackWriter(TextWriter inner, Action onWrite) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void Write(char value) { onWrite(); inner.Write(value); }
        public override void Write(string? value) { onWrite(); inner.Write(value); }
        public override void WriteLine(string? value) { onWrite(); inner.WriteLine(value); }
    }

    /// <summary>SIGTERM and SIGHUP are handled like Ctrl-C: the exact result of the finished paths is written, exit 143/129.</summary>
    [TestCase("TERM", 143)]
    [TestCase("HUP", 129)]
    [TestCase("INT", 130)]
    public void ASignalWritesTheCompletedPaths(string signal, int expected)
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("POSIX signals");
        int number = signal switch { "HUP" => 1, "INT" => 2, _ => 15 };
        if (IgnoredHere(number))
            Assert.Ignore($"SIG{signal} is ignored by this test process (started under nohup, or as a background job of a shell), and the " +
                          "command inherits that: it rightly keeps ignoring the signal, so there is no stop to test");
        string json = Path.Combine(_dir, "r.json");
        string cli = Path.Combine(AppContext.BaseDirectory, "GpuCascade.Cli");
        string log = Path.Combine(_dir, "run.log");
        var start = new ProcessStartInfo(cli, ["run", "--paths", "2000000", "--backend", "managed", "--quiet", "--json", json, "--log", log])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        Thread.Sleep(3000); // started and simulating
        using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString()])) kill.WaitForExit();
        if (!process.WaitForExit(60_000))
        {
            // Say where the run was (its progress, whether it printed "Stopping"), to find why.
            process.Kill();
            process.WaitForExit();
            Assert.Fail($"no exit 60 s after SIG{signal} (the paths in flight stop within a few thousand steps); stderr:\n{stderr.Result}\n" +
                        $"log:\n{(File.Exists(log) ? File.ReadAllText(log) : "(none)")}");
        }
        Assert.That(process.ExitCode, Is.EqualTo(expected), stderr.Result);
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        long paths = root["paths"]!.GetValue<long>();
        Assert.That(paths, Is.LessThan(2_000_000));
        Assert.That(paths % 1024, Is.Zero, "whole blocks");
        Assert.That(root["run"]!["cancelled"]!.GetValue<bool>(), Is.True);
        Assert.That(stderr.Result, Does.Contain("Stopping"));
        _ = stdout.Result;
    }

    /// <summary>Whether signal <paramref name="number"/> is ignored by this process (its SigIgn mask in /proc/self/status):
    /// a child inherits an ignored signal, as nohup and a shell's background jobs intend.</summary>
    private static bool IgnoredHere(int number)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) >> (number - 1) & 1) != 0;
    }

    /// <summary>Unattended (stderr not a terminal): progress lines on stderr; --log gets the manifest, progress and the end.</summary>
    [Test]
    public void UnattendedRunsLogProgressAndTheirManifest()
    {
        string log = Path.Combine(_dir, "run.log");
        var (code, _, err) = Run("run", "--paths", "2048", "--quiet", "--log", log, "--seed", "3");
        Assert.That(code, Is.Zero, err);
        Assert.That(err, Does.Match(@"progress: 2,048 of 2,048 paths \(100\.0%\), [\d,]+ paths/s"));
        string text = File.ReadAllText(log);
        Assert.That(text, Does.Contain("GpuCascade ").And.Contain("command: gpucascade run --paths 2048 --quiet --log"));
        Assert.That(text, Does.Match(@"scenario: the embedded default, sha256 [0-9a-f]{64}, 2,048 paths x 288 steps, seed 3"));
        Assert.That(text, Does.Contain("memory estimate: about"));
        Assert.That(text, Does.Contain("progress: 2,048 of 2,048 paths"));
        Assert.That(text, Does.Contain("finished: 2,048 of 2,048 paths").And.Contain("exit 0"));
        // Appended: a second run adds to it.
        Assert.That(Run("run", "--paths", "1024", "--quiet", "--log", log).Code, Is.Zero);
        Assert.That(File.ReadAllText(log), Does.StartWith(text).And.Contain("finished: 1,024 of 1,024 paths"));
    }

    [Test]
    public void ProgressLinesComeAtTheirInterval()
    {
        var writer = new StringWriter();
        var lines = new ProgressLines(writer, TimeSpan.FromHours(1));
        lines.Report(new GpuCascade.Simulation.RunProgress(1024, 4096, TimeSpan.FromSeconds(1)));
        lines.Report(new GpuCascade.Simulation.RunProgress(2048, 4096, TimeSpan.FromSeconds(2)));
        Assert.That(writer.ToString(), Is.Empty, "nothing before the interval has passed");
        lines.Report(new GpuCascade.Simulation.RunProgress(4096, 4096, TimeSpan.FromSeconds(4)));
        Assert.That(writer.ToString(), Does.Contain("4,096 of 4,096 paths (100.0%), 1,024 paths/s, 4s elapsed, 0s left"));
    }

    /// <summary>run --checkpoint: stopped by SIGTERM, rerun to the end: the JSON equals an uninterrupted run's outside
    /// <c>run</c>; a rerun of the complete run reports it again; a checkpoint for other arguments, or a damaged one, is
    /// exit 2 naming what is wrong.</summary>
    [Test]
    public void ACheckpointedRunSurvivesASignalAndResumesIdentically()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("POSIX signals");
        string whole = Path.Combine(_dir, "whole.json"), resumed = Path.Combine(_dir, "resumed.json"), ckpt = Path.Combine(_dir, "run.ckpt");
        string[] common = ["run", "--paths", "61440", "--backend", "managed", "--quiet"];
        Assert.That(Run([.. common, "--json", whole]).Code, Is.Zero);

        string cli = Path.Combine(AppContext.BaseDirectory, "GpuCascade.Cli");
        var start = new ProcessStartInfo(cli, [.. common, "--json", resumed, "--checkpoint", ckpt, "--checkpoint-every", "1"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using (var process = Process.Start(start)!)
        {
            var err = process.StandardError.ReadToEndAsync();
            Thread.Sleep(3000);
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) kill.WaitForExit();
            Assert.That(process.WaitForExit(60_000), Is.True);
            Assume.That(process.ExitCode, Is.EqualTo(ExitCodes.Terminated), "stopped before the end (a very fast machine finishes 61,440 paths in 3 s)");
            _ = err.Result;
        }
        Assert.That(File.Exists(ckpt), Is.True, "written on the signal");
        var (code, _, stderr) = Run([.. common, "--json", resumed, "--checkpoint", ckpt]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stderr, Does.Contain("resuming from "));
        Assert.That(Without(resumed, "run"), Is.EqualTo(Without(whole, "run")));
        Assert.That(JsonNode.Parse(File.ReadAllText(resumed))!["run"]!["resumedPaths"]!.GetValue<long>(), Is.GreaterThan(0));

        // Complete: the checkpoint is kept and a rerun reports the same result.
        (code, _, stderr) = Run([.. common, "--json", resumed, "--checkpoint", ckpt]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stderr, Does.Contain("resuming from 61,440 of 61,440 paths"));
        Assert.That(Without(resumed, "run"), Is.EqualTo(Without(whole, "run")));

        (code, _, stderr) = Run("run", "--paths", "61440", "--seed", "5", "--backend", "managed", "--quiet", "--checkpoint", ckpt);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(stderr, Does.Contain("written for another scenario as run").And.Contain("--paths or --seed"));
        string damaged = Path.Combine(_dir, "damaged.ckpt");
        File.WriteAllBytes(damaged, File.ReadAllBytes(ckpt)[..2000]);
        (code, _, stderr) = Run([.. common, "--checkpoint", damaged]);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(stderr, Does.Contain("corrupt or truncated"));
    }

    private static string Without(string file, string key)
    {
        var node = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        node.Remove(key);
        return node.ToJsonString();
    }
}
