using System.Text.Json;

namespace GpuCascade.Tests.Cli;

/// <summary>run --series FILE and --sample-paths N FILE, through checkpoints and shards, and their mistakes.</summary>
public class SeriesCliTests : CliTestBase
{
    private string F(string name) => Path.Combine(_dir, name);

    [Test]
    public void SeriesCsvHasTheDocumentedColumnsAndStartsAtOne()
    {
        var (code, _, err) = Run("run", "--paths", "2048", "--quiet", "--series", F("s.csv"), "--sample-paths", "2", F("p.csv"));
        Assert.That(code, Is.Zero, err);
        var lines = File.ReadAllLines(F("s.csv"));
        Assert.That(lines[0], Is.EqualTo("step,time,asset,metric,statistic,value"));
        Assert.That(lines.Where(l => l.StartsWith("0,0,BTC,price,", StringComparison.Ordinal)).Select(l => l.Split(',')[^1]).Distinct().ToList(),
            Is.EquivalentTo(new[] { "1", "0" }), "step 0: mean, quantiles and extremes 1; standard error 0");
        Assert.That(lines, Has.Some.StartsWith("288,24,,pFundDepleted,mean,"));
        Assert.That(lines.Select(l => l.Split(',')[3]).Skip(1).Distinct().ToList(), Is.EquivalentTo(new[]
            { "price", "exogenousPrice", "liquidatedNotional", "pLiquidation", "depthFactor", "queuedNotional", "fund", "pFundDepleted" }));
        var paths = File.ReadAllLines(F("p.csv"));
        Assert.That(paths[0], Does.StartWith("path,step,time,asset,price,"));
        Assert.That(paths, Has.Length.EqualTo(1 + 2 * 289 * 3));
    }

    [Test]
    public void JsonWhenTheFileEndsInJson()
    {
        var (code, _, err) = Run("run", "--paths", "1024", "--quiet", "--series", F("s.json"), "--sample-paths", "1", F("p.json"));
        Assert.That(code, Is.Zero, err);
        using var series = JsonDocument.Parse(File.ReadAllText(F("s.json")));
        var q50 = series.RootElement.GetProperty("assets").GetProperty("ETH").GetProperty("price").GetProperty("q50");
        Assert.That(q50.GetArrayLength(), Is.EqualTo(289));
        Assert.That(q50[0].GetDouble(), Is.EqualTo(1.0));
        Assert.That(series.RootElement.GetProperty("fund").GetProperty("mean").GetArrayLength(), Is.EqualTo(289));
        using var paths = JsonDocument.Parse(File.ReadAllText(F("p.json")));
        Assert.That(paths.RootElement.GetProperty("paths")[0].GetProperty("assets").GetProperty("SOL").GetProperty("price").GetArrayLength(), Is.EqualTo(289));
    }

    [Test]
    public void ACheckpointedRunResumesToTheSameSeries()
    {
        string[] args = ["run", "--paths", "20000", "--quiet", "--series", F("s.csv"), "--sample-paths", "3", F("p.csv")];
        Assert.That(Run(args).Code, Is.Zero);
        string series = File.ReadAllText(F("s.csv")), samples = File.ReadAllText(F("p.csv"));
        // A run stopped once its first checkpoint is written (if it is quick enough to finish first, the rerun reports it
        // from the checkpoint: the series comes back from the file either way).
        using (var stop = new CancellationTokenSource())
        {
            var watcher = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested && !File.Exists(F("c.bin"))) await Task.Delay(20);
                stop.Cancel();
            });
            int stopped = GpuCascade.Cli.CliApp.Run([.. args, "--checkpoint", F("c.bin"), "--checkpoint-every", "1"], new StringWriter(), new StringWriter(), stop.Token);
            Assert.That(stopped, Is.EqualTo(130).Or.EqualTo(0));
            stop.Cancel();
            watcher.Wait();
        }
        File.Delete(F("s.csv"));
        var (code, _, err) = Run([.. args, "--checkpoint", F("c.bin")]);
        Assert.That(code, Is.Zero, err);
        Assert.That(File.ReadAllText(F("s.csv")), Is.EqualTo(series));
        Assert.That(File.ReadAllText(F("p.csv")), Is.EqualTo(samples));
        // The checkpoint recorded the series: a run without --series may not continue it.
        var refused = Run("run", "--paths", "20000", "--quiet", "--checkpoint", F("c.bin"));
        Assert.That(refused.Code, Is.EqualTo(2));
        Assert.That(refused.Err, Does.Contain("--series"));
    }

    [Test]
    public void ShardsRecordTheSeriesAndMergeWritesIt()
    {
        Assert.That(Run("run", "--paths", "20000", "--quiet", "--series", F("whole.csv")).Code, Is.Zero);
        for (int i = 0; i < 2; i++)
        {
            var (code, _, err) = Run("run", "--paths", "20000", "--quiet", "--shard", $"{i}/2", "--partial", F($"part{i}.bin"), "--series", F($"shard{i}.csv"));
            Assert.That(code, Is.Zero, err);
        }
        var merged = Run("merge", F("part0.bin"), F("part1.bin"), "--quiet", "--series", F("merged.csv"));
        Assert.That(merged.Code, Is.Zero, merged.Err);
        Assert.That(File.ReadAllText(F("merged.csv")), Is.EqualTo(File.ReadAllText(F("whole.csv"))));
        Assert.That(File.ReadAllText(F("shard0.csv")), Is.Not.EqualTo(File.ReadAllText(F("whole.csv"))), "a shard's own series covers its paths only");
        var none = Run("merge", F("part0.bin"), F("part1.bin"), "--quiet", "--sample-paths", F("p.csv"));
        Assert.That(none.Code, Is.EqualTo(2));
        Assert.That(none.Err, Does.Contain("hold no sample paths"));
    }

    [TestCase("--sample-paths", "p.csv", "needs N FILE")]
    [TestCase("--sample-paths", "0 p.csv", "1 .. 1000")]
    [TestCase("--sample-paths", "1001 p.csv", "1 .. 1000")]
    [TestCase("--sample-paths", "ten p.csv", "the number of paths comes first")]
    public void SamplePathMistakesNameTheOption(string option, string values, string expected)
    {
        var (code, _, err) = Run(["run", "--paths", "1024", option, .. values.Split(' ').Select(v => v.EndsWith(".csv") ? F(v) : v)]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--sample-paths"));
        Assert.That(err, Does.Match(expected));
    }

    [Test]
    public void SeriesAndJsonCannotBothGoToStdout()
    {
        var (code, _, err) = Run("run", "--paths", "1024", "--json", "-", "--series", "-");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("stdout"));
    }
}
