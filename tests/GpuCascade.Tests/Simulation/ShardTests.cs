using GpuCascade.Backends.Managed;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Simulation;

/// <summary>Shards of a run merge into the one-shot result bit for bit; parts that do not fit are refused, each named.</summary>
public class ShardTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("gpucascade-shards-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private static readonly Scenario Scenario = ScenarioLoader.LoadDefault() with
    {
        Steps = 24, Horizon = Duration.Parse("2h"), Paths = 70_000, // four whole segments and a shorter fifth
    };

    private List<string> RunShards(int count, Scenario? scenario = null, string prefix = "part")
    {
        var files = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string file = Path.Combine(_dir, $"{prefix}{i}.bin");
            Assert.That(Shards.RunShard(scenario ?? Scenario, i, count, file, new RunOptions { Backend = new ManagedBackend(2) }), Is.Not.Null);
            files.Add(file);
        }
        return files;
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(5)]
    public void MergedShardsEqualTheOneShotRun(int count)
    {
        var whole = SimulationEngine.Run(Scenario, new RunOptions { Backend = new ManagedBackend(2) });
        var files = RunShards(count);
        files.Reverse(); // any order
        var merged = Shards.Merge(files);
        Assert.That(TestScenarios.Reproducible(merged), Is.EqualTo(TestScenarios.Reproducible(whole)));
        Assert.That(merged.Run.MergedFrom, Has.Count.EqualTo(count));
    }

    [Test]
    public void ShardRangesCoverTheRunInWholeSegments()
    {
        long total = 70_000;
        var ranges = Enumerable.Range(0, 5).Select(i => Shards.Range(total, i, 5)).ToList();
        Assert.That(ranges[0].First, Is.Zero);
        Assert.That(ranges[^1].End, Is.EqualTo(total));
        for (int i = 1; i < ranges.Count; i++)
        {
            Assert.That(ranges[i].First, Is.EqualTo(ranges[i - 1].End));
            Assert.That(ranges[i].First % SimulationEngine.SegmentPaths, Is.Zero);
        }
        Assert.That(() => Shards.Range(total, 0, 6), Throws.ArgumentException.With.Message.Contains("at most 5 shards"));
        Assert.That(() => Shards.Range(total, 3, 3), Throws.ArgumentException.With.Message.Contains("0 .. 2"));
    }

    [Test]
    public void PartsThatDoNotFitAreRefused()
    {
        var files = RunShards(3);
        string Refused(params string[] parts) => Assert.Throws<CheckpointException>(() => Shards.Merge(parts))!.Message;

        Assert.That(Refused(files[0], files[2]), Does.Contain("paths [16,384, 49,152) are in no file"));
        Assert.That(Refused(files[0], files[1]), Does.Contain("paths [49,152, 70,000) are in no file"));
        Assert.That(Refused(files[0], files[1], files[1], files[2]), Does.Contain("both hold paths [16,384, 49,152)"));
        var other = RunShards(3, Scenario with { Seed = 99 }, "other");
        Assert.That(Refused(files[0], other[1], files[2]), Does.Contain("another scenario as run"));
        string damaged = Path.Combine(_dir, "damaged.bin");
        File.WriteAllBytes(damaged, File.ReadAllBytes(files[1])[..500]);
        Assert.That(Refused(files[0], damaged, files[2]), Does.Contain("corrupt or truncated"));
        string text = Path.Combine(_dir, "text.bin");
        File.WriteAllText(text, new string('x', 200));
        Assert.That(Refused(text), Does.Contain("not a GpuCascade accumulator file").Or.Contain("corrupt"));
    }
}
