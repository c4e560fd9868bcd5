using GpuCascade.Cli;
using GpuCascade.Operations;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Cli;

/// <summary>What a new user hit by following the README and trying bad inputs: crashes (exit 134 with a stack trace),
/// inputs read without bound, and the README's own <c>--plots</c> example failing. Each is now exit 2 with a message
/// naming the option or file, or works as documented.</summary>
public class FirstUseDefectTests : CliTestBase
{
    private static void AssertRefused((int Code, string Out, string Err) r, string message)
    {
        Assert.That(r.Code, Is.EqualTo(CliApp.ExitInvalidInput), r.Err);
        Assert.That(r.Err, Does.Contain(message));
        Assert.That(r.Err, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void MoreSamplePathsThanPathsIsRefusedNamingTheOption()
    {
        string samples = Path.Combine(_dir, "sp.csv");
        AssertRefused(Run("run", "--paths", "4", "--sample-paths", "5", samples, "--quiet"),
            "--sample-paths: 5 sample paths asked for, but the run has 4 paths");
        Assert.That(File.Exists(samples), Is.False);
    }

    [Test]
    public void MoreSamplePathsThanTheScenariosPathsIsRefused()
    {
        string scenario = Path.Combine(_dir, "three.yaml");
        File.WriteAllText(scenario, ScenarioLoader.DefaultScenarioText.Replace("paths: 20000", "paths: 3"));
        AssertRefused(Run("run", scenario, "--sample-paths", "5", Path.Combine(_dir, "sp.csv"), "--quiet"),
            "--sample-paths: 5 sample paths asked for, but the run has 3 paths");
        // ... and in a shard, against the run's paths.
        AssertRefused(Run("run", scenario, "--sample-paths", "5", Path.Combine(_dir, "sp.csv"), "--shard", "0/1", "--partial",
            Path.Combine(_dir, "p.bin")), "--sample-paths: 5 sample paths asked for, but the run has 3 paths");
    }

    [Test]
    public void AsManySamplePathsAsPathsStillWorks()
    {
        string samples = Path.Combine(_dir, "sp.csv");
        var r = Run("run", "--paths", "4", "--sample-paths", "4", samples, "--quiet");
        Assert.That(r.Code, Is.Zero, r.Err);
        Assert.That(File.ReadAllText(samples), Does.Contain("\n3,"));
    }

    [TestCase("merge", "partial file /dev/zero: empty, or not a regular file")]
    [TestCase("report", "JSON file /dev/zero: empty, or not a regular file")]
    public void DevicesAreNotReadAsInputs(string command, string message)
    {
        Assume.That(File.Exists("/dev/zero"), "a Unix machine");
        var args = command == "merge"
            ? new[] { "merge", "/dev/zero", "--json", Path.Combine(_dir, "m.json") }
            : new[] { "report", "/dev/zero", "--out", Path.Combine(_dir, "r.html") };
        AssertRefused(Run(args), message);
    }

    [Test]
    public void ADeviceIsNotReadAsARunCheckpointOrACalibrationCheckpoint()
    {
        Assume.That(File.Exists("/dev/zero"), "a Unix machine");
        AssertRefused(Run("run", "--paths", "64", "--checkpoint", "/dev/zero", "--quiet"), "/dev/zero");
        AssertRefused(Run("calibrate", "--paths", "64", "--vary", "venue.maintenanceMargin=0.01..0.02", "--target", "probabilities.badDebt<=0.5",
            "--checkpoint", "/dev/zero", "--quiet"), "/dev/zero");
    }

    [Test]
    public void APipeIsRefusedWithoutWaitingForAWriter()
    {
        string fifo = Path.Combine(_dir, "pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo?.WaitForExit();
        Assume.That(File.Exists(fifo), "mkfifo is available");
        var task = Task.Run(() => Run("report", fifo, "--out", Path.Combine(_dir, "r.html")));
        Assert.That(task.Wait(TimeSpan.FromSeconds(30)), Is.True, "the report did not wait on the pipe");
        AssertRefused(task.Result, "not a regular file");
    }

    [Test]
    public void OversizedInputsAreRefusedBeforeTheyAreRead()
    {
        string big = Path.Combine(_dir, "big.json");
        using (var f = File.Create(big)) f.SetLength(InputFile.MaxJsonBytes + 1); // sparse: no disk used
        AssertRefused(Run("report", big, "--out", Path.Combine(_dir, "r.html")), $"JSON file {big}: {InputFile.MaxJsonBytes + 1:N0} bytes, over the limit of 256 MiB");
        string part = Path.Combine(_dir, "big.bin");
        using (var f = File.Create(part)) f.SetLength(InputFile.MaxAccumulatorBytes + 1);
        AssertRefused(Run("merge", part, "--json", Path.Combine(_dir, "m.json")), $"partial file {part}: {InputFile.MaxAccumulatorBytes + 1:N0} bytes, over the limit of 1 GiB");
        string scenario = Path.Combine(_dir, "big.yaml");
        using (var f = File.Create(scenario)) f.SetLength(InputFile.MaxScenarioBytes + 1);
        AssertRefused(Run("run", scenario, "--quiet"), $"scenario file {scenario}: {InputFile.MaxScenarioBytes + 1:N0} bytes, over the limit of 32 MiB");
    }

    [Test]
    public void InputFileReadsExactlyARegularFile()
    {
        string file = Path.Combine(_dir, "a.txt");
        File.WriteAllText(file, "\uFEFFpaths: 3\n");
        Assert.That(InputFile.ReadText(file, "scenario file", 1024), Is.EqualTo("paths: 3\n"), "BOM removed");
        Assert.That(() => InputFile.ReadText(file, "scenario file", 4), Throws.InstanceOf<InputFileException>().With.Message.Contains("12 bytes, over the limit of 4 bytes"));
        Assert.That(() => InputFile.ReadText(Path.Combine(_dir, "none"), "scenario file", 4),
            Throws.InstanceOf<InputFileException>().With.Message.EqualTo($"scenario file not found: {Path.Combine(_dir, "none")}"));
        Assert.That(() => InputFile.ReadText(_dir, "scenario file", 4), Throws.InstanceOf<InputFileException>().With.Message.Contains("is a directory"));
    }

    [TestCase("plots/")]
    [TestCase("plots")]
    [TestCase("new/nested/plots/")]
    public void PlotsDirectoryIsCreatedWithOrWithoutATrailingSlash(string directory)
    {
        string json = Path.Combine(_dir, "r.json");
        Assert.That(Run("run", "--paths", "256", "--json", json, "--quiet").Code, Is.Zero);
        string plots = Path.Combine(_dir, directory);
        var r = Run("report", json, "--out", Path.Combine(_dir, "r.html"), "--plots", plots);
        Assert.That(r.Code, Is.Zero, r.Err);
        Assert.That(Directory.GetFiles(plots, "*.png"), Is.Not.Empty);

        string runPlots = Path.Combine(_dir, "p4" + (directory.EndsWith('/') ? "/" : ""));
        r = Run("run", "--paths", "256", "--quiet", "--plots", runPlots);
        Assert.That(r.Code, Is.Zero, r.Err);
        Assert.That(Directory.GetFiles(runPlots, "*.png"), Is.Not.Empty);
    }

    [Test]
    public void PlotsUnderAFileIsRefusedBeforeTheRun()
    {
        string file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "x");
        AssertRefused(Run("run", "--paths", "256", "--quiet", "--plots", Path.Combine(file, "plots/")), "--plots:");
    }
}
