using System.Globalization;
using System.Text;
using GpuCascade.Backends.Managed;
using GpuCascade.Market;
using GpuCascade.MarketData;
using GpuCascade.Prices;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;
using GpuCascade.Tests.Docs;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// Historical shocks (docs/model.md section 2, "Historical shocks"): the replay follows the file's closes step by step,
/// the bootstrap's steps are the history's demeaned returns in blocks whose starts are the documented draws, the filtered
/// method rescales unit-variance residuals by the path's volatility, the bootstrap's horizon variance is the finite
/// history's closed form, and every bad input is refused at its field.
/// </summary>
public class HistoryTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private string _dir = "";

    [SetUp]
    public void MakeDirectory() => _dir = Directory.CreateTempSubdirectory("gpucascade-history-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    /// <summary>Hourly closes from <see cref="Start"/>: 100 exp(cumulative sum of <paramref name="returns"/>).</summary>
    private static double[] Closes(IReadOnlyList<double> returns)
    {
        var closes = new double[returns.Count + 1];
        closes[0] = 100;
        for (int k = 0; k < returns.Count; k++) closes[k + 1] = closes[k] * Math.Exp(returns[k]);
        return closes;
    }

    /// <summary>Writes <paramref name="closes"/> as an hourly file (oldest first) named <paramref name="name"/>.</summary>
    private string Write(string name, IReadOnlyList<double> closes, Func<int, bool>? keep = null)
    {
        var text = new StringBuilder("datetime,close\n");
        for (int k = 0; k < closes.Count; k++)
            if (keep?.Invoke(k) ?? true)
                text.Append(CultureInfo.InvariantCulture, $"{Start.AddHours(k):yyyy-MM-dd HH:mm:ss},{closes[k].ToString("R", CultureInfo.InvariantCulture)}\n");
        File.WriteAllText(Path.Combine(_dir, name), text.ToString());
        return name;
    }

    /// <summary>Returns with a fixed pattern and sizes that grow, all different (a row is told by its value).</summary>
    private static double[] DistinctReturns(int count, int seed = 3)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(k => 0.01 * (rng.NextDouble() - 0.5) + 1e-6 * k)];
    }

    /// <summary>One asset, BTC at 100, hourly steps, one long far from liquidation (leverage 1.05 at maintenance 1%), its
    /// history from <paramref name="historyKeys"/> (a YAML flow map's entries).</summary>
    private Scenario Load(string historyKeys, int steps = 12, string assets = "BTC: btc.csv", string extra = "", long paths = 64)
    {
        string yaml = $$"""
            horizon: {{steps}}h
            steps: {{steps}}
            paths: {{paths}}
            seed: 11
            {{extra}}
            history: {prices: {{{assets}}}, {{historyKeys}}}
            assets:
              - {symbol: BTC, price: 100, volatility: 0.6, depth1pct: 1e12}
            venue:
              maintenanceMargin: 0.01
            book:
              cohorts:
                - {asset: BTC, side: long, notional: 1.0e4, leverage: 1.05}
            """;
        string file = Path.Combine(_dir, "scenario.yaml");
        File.WriteAllText(file, yaml);
        return ScenarioLoader.LoadFile(file);
    }

    private static SamplePathSet Record(Scenario s, int paths) =>
        SimulationEngine.Run(s, new RunOptions { Paths = paths, Backend = new ManagedBackend(1), SamplePaths = paths }).SamplePaths!;

    [Test]
    public void TheReplayFollowsTheFilesClosesOnEveryPath()
    {
        var closes = Closes(DistinctReturns(100));
        Write("btc.csv", closes);
        // The row of 2025-01-01T10:00Z is the interval starting then: the move from the close of 09:00's row to 10:00's.
        var s = Load("method: replay, from: '2025-01-01T10:00:00Z'", steps: 12);
        var record = Record(s, 4);
        for (int p = 0; p < 4; p++)
            for (int step = 0; step <= 12; step++)
                Assert.That(record.ExogenousPrice(p, step, 0), Is.EqualTo(closes[9 + step] / closes[9]).Within(1e-12), $"path {p}, row {step}");
    }

    [Test]
    public void BootstrapStepsAreTheDemeanedRowsInBlocksFromTheDocumentedDraws()
    {
        var returns = DistinctReturns(50);
        Write("btc.csv", Closes(returns));
        var s = Load("method: bootstrap, block: 3h", steps: 7);
        double mean = returns.Average();
        var record = Record(s, 6);
        for (int p = 0; p < 6; p++)
            for (int step = 0; step < 7; step++)
            {
                int block = step - step % 3;
                int row = (RandomStreams.HistoricalBlockStart(s.Seed, (ulong)p, (uint)block, 50) + step % 3) % 50;
                double move = Math.Log(record.ExogenousPrice(p, step + 1, 0) / record.ExogenousPrice(p, step, 0));
                Assert.That(move, Is.EqualTo(returns[row] - mean).Within(1e-12), $"path {p}, step {step} (row {row})");
            }
    }

    [Test]
    public void TheFilteredMethodScalesUnitVarianceResidualsByThePathsVolatility()
    {
        const int rows = 400;
        var returns = DistinctReturns(rows);
        for (int k = rows / 2; k < rows; k++) returns[k] *= 4; // a volatility regime the residuals take out
        var series = PriceFile.Read(Path.Combine(_dir, Write("btc.csv", Closes(returns))), "BTC");
        var s = Load("method: filtered, block: 4h, lambda: 0.9", steps: 8);
        var z = HistoricalReturns.Align([series], TimeSpan.FromHours(1), null, null).Standardised(0.9);
        Assert.That(z.Sum(x => x * x) / z.Length, Is.EqualTo(1).Within(1e-12), "unit sample variance");
        double firstHalf = z.Take(rows / 2).Sum(x => x * x), secondHalf = z.Skip(rows / 2).Sum(x => x * x);
        Assert.That(secondHalf / firstHalf, Is.InRange(0.67, 1.5), "the 16-fold variance of the second half is filtered out");
        double dt = s.StepYears, h = 0.36;
        var record = Record(s, 3);
        for (int p = 0; p < 3; p++)
            for (int step = 0; step < 8; step++)
            {
                int row = (RandomStreams.HistoricalBlockStart(s.Seed, (ulong)p, (uint)(step - step % 4), rows) + step % 4) % rows;
                double move = Math.Log(record.ExogenousPrice(p, step + 1, 0) / record.ExogenousPrice(p, step, 0));
                Assert.That(move, Is.EqualTo(-0.5 * h * dt + Math.Sqrt(h * dt) * z[row]).Within(1e-12), $"path {p}, step {step}");
            }
    }

    /// <summary>
    /// A circular bootstrap of whole blocks draws each block's start uniformly, so the horizon's log return is a sum of
    /// steps / B independent block sums S_s, and its variance is exactly (steps / B) mean_s S_s^2 (the demeaned rows sum
    /// to 0, so the mean is 0): the closed form is checked within 4 of its standard errors.
    /// </summary>
    [Test]
    public void TheBootstrapsHorizonVarianceIsTheHistorysClosedForm()
    {
        var rng = new Random(5);
        var returns = new double[400];
        double sigma = 0.01;
        for (int k = 0; k < returns.Length; k++)
        {
            sigma = Math.Sqrt(1e-6 + 0.2 * (k > 0 ? returns[k - 1] * returns[k - 1] : 1e-4) + 0.75 * sigma * sigma);
            returns[k] = sigma * Normal(rng) + (k % 10 == 0 ? 0.002 : 0);
        }
        Write("btc.csv", Closes(returns));
        const int b = 6, steps = 24, paths = 20_000;
        var s = Load($"method: bootstrap, block: {b}h", steps: steps, paths: paths);
        double mean = returns.Average();
        var sums = Enumerable.Range(0, returns.Length).Select(start => Enumerable.Range(0, b).Sum(k => returns[(start + k) % returns.Length] - mean)).ToArray();
        double expected = steps / b * sums.Average(x => x * x);
        var outputs = SimulationEngine.SimulatePaths(s, 0, paths, new ManagedBackend(2));
        var x = Enumerable.Range(0, paths).Select(p => Math.Log(outputs.FinalPrice[p] / 100)).ToArray();
        double m = x.Average(), v = x.Sum(t => (t - m) * (t - m)) / (paths - 1);
        double seMean = Math.Sqrt(v / paths);
        double seVariance = Math.Sqrt(x.Select(t => (t - m) * (t - m)).Select(q => (q - v) * (q - v)).Sum() / (paths - 1) / paths);
        Assert.That(Math.Abs(m), Is.LessThan(4 * seMean), "the demeaned history's mean is 0");
        Assert.That(Math.Abs(v - expected), Is.LessThan(4 * seVariance), $"variance {v} against the closed form {expected}");
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Test]
    public void AssetsShareOnlyTheIntervalsEveryOneHas()
    {
        var closes = Closes(DistinctReturns(30));
        var btc = PriceFile.Read(Path.Combine(_dir, Write("btc.csv", closes)), "BTC");
        var eth = PriceFile.Read(Path.Combine(_dir, Write("eth.csv", closes, keep: k => k != 10)), "ETH");
        var rows = HistoricalReturns.Align([btc, eth], TimeSpan.FromHours(1), Start.AddHours(2), Start.AddHours(20));
        // ETH lacks 10:00, so neither the return ending at 10:00 nor the one after it exists for ETH.
        Assert.That(rows.Times, Does.Not.Contain(Start.AddHours(10)).And.Not.Contain(Start.AddHours(11)));
        Assert.That(rows.Times[0], Is.EqualTo(Start.AddHours(2)));
        Assert.That(rows.Times[^1], Is.EqualTo(Start.AddHours(19)), "to is exclusive");
        Assert.That(rows.Rows, Is.EqualTo(16));
    }

    [Test]
    public void TheScenarioRecordsItsDataAndTheRecordCatchesAChangedFile()
    {
        var closes = Closes(DistinctReturns(40));
        Write("btc.csv", closes);
        var s = Load("method: bootstrap, block: 2h");
        string json = ScenarioJson.Indented(s);
        Assert.That(json, Does.Contain("\"btc.csv\"").And.Contain("\"sha256\""));
        string file = Path.Combine(_dir, "again.json");
        File.WriteAllText(file, json);
        Assert.That(ScenarioLoader.LoadFile(file), Is.EqualTo(s), "the canonical JSON loads back beside its data");
        closes[20] *= 1.01;
        Write("btc.csv", closes);
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadFile(file))!;
        Assert.That(e.Errors.Single().Path, Is.EqualTo("history.sha256.BTC"));
        Assert.That(e.Errors.Single().Message, Does.Contain("the file changed since"));
    }

    [Test]
    public void AChangeByKeyFindsTheFilesBesideTheScenario()
    {
        string file = Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios", "historical-bootstrap.yaml");
        Assume.That(Directory.GetCurrentDirectory(), Is.Not.EqualTo(Path.GetDirectoryName(file)));
        var s = ScenarioLoader.LoadFile(file);
        var changed = s.With("assets[BTC].depth1pct", 1e8);
        Assert.That(changed.History, Is.EqualTo(s.History));
        Assert.That(changed.Assets[0].Impact, Is.EqualTo(new LinearImpact(1e8)));
    }

    private static IEnumerable<TestCaseData> Refusals()
    {
        yield return new TestCaseData("method: bootstrap", "", "jumps: {intensity: 1, meanLogSize: -0.1, logSizeVolatility: 0.05}", "jumps", "carry their own jumps");
        yield return new TestCaseData("method: bootstrap", "", "innovations: {distribution: student-t, dof: 4}", "innovations", "fat tails");
        yield return new TestCaseData("method: replay, block: 2h", "", "", "history.block", "without blocks");
        yield return new TestCaseData("method: bootstrap, lambda: 0.9", "", "", "history.lambda", "only the filtered method");
        yield return new TestCaseData("method: filtered, lambda: 1", "", "", "history.lambda", "must be");
        yield return new TestCaseData("method: bootstrap, block: 30m", "", "", "history.block", "at least one step");
        yield return new TestCaseData("method: bootstrap, block: 60h", "", "", "history.block", "longer than the history's 40 rows");
        yield return new TestCaseData("method: replay, from: '2025-01-02T12:00:00Z'", "", "", "history", "the replay needs 12 steps");
        yield return new TestCaseData("method: replay, from: '2025-01-01T00:30:00Z'", "", "", "history.from", "starts no 1h interval");
        yield return new TestCaseData("method: replay, from: 'yesterday'", "", "", "history.from", "must be a date");
        yield return new TestCaseData("method: bootstrap, to: '2025-01-01'", "", "", "history.prices", "share no 1h interval");
        yield return new TestCaseData("method: sideways", "", "", "history.method", "");
        yield return new TestCaseData("method: bootstrap", "BTC: missing.csv", "", "history.prices.BTC", "missing.csv");
        yield return new TestCaseData("method: bootstrap", "BTC: btc.csv, ETH: btc.csv", "", "history.prices.ETH", "unknown key");
        yield return new TestCaseData("method: bootstrap", "BTC: bad.csv", "", "history.prices.BTC", "bad.csv:3:2: close must be a positive number");
        yield return new TestCaseData("method: bootstrap", "ETH: btc.csv", "", "history.prices", "no price file for asset BTC");
    }

    [TestCaseSource(nameof(Refusals))]
    public void ABadHistoryIsRefusedAtItsField(string keys, string assets, string extra, string path, string message)
    {
        Write("btc.csv", Closes(DistinctReturns(40)));
        File.WriteAllText(Path.Combine(_dir, "bad.csv"), "datetime,close\n2025-01-01 00:00:00,100\n2025-01-01 01:00:00,-3\n");
        var e = Assert.Throws<ScenarioException>(() => Load(keys, assets: assets.Length > 0 ? assets : "BTC: btc.csv", extra: extra))!;
        Assert.That(e.Errors.Select(x => x.Path), Has.Member(path), e.Message);
        Assert.That(e.Errors.First(x => x.Path == path).Message, Does.Contain(message));
    }

    [Test]
    public void AFileThatDoesNotReadLeavesItsRecordedHashAlone()
    {
        var e = Assert.Throws<ScenarioException>(() => Load("method: bootstrap, sha256: {BTC: abc}", assets: "BTC: missing.csv"))!;
        Assert.That(e.Errors.Select(x => x.Path), Is.EqualTo(new[] { "history.prices.BTC" }), e.Message);
    }

    [Test]
    public void ShardsOfAHistoryMergeFromAnotherDirectory()
    {
        string scenario = Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios", "historical-bootstrap.yaml");
        Assume.That(Directory.GetCurrentDirectory(), Is.Not.EqualTo(Path.GetDirectoryName(scenario)));
        string p0 = Path.Combine(_dir, "p0.part"), p1 = Path.Combine(_dir, "p1.part"), merged = Path.Combine(_dir, "merged.json"), whole = Path.Combine(_dir, "whole.json");
        foreach (var (shard, part) in new[] { ("0/2", p0), ("1/2", p1) })
            Assert.That(GpuCascade.Cli.CliApp.Run(["run", scenario, "--paths", "32768", "--backend", "managed", "--shard", shard, "--partial", part], TextWriter.Null, TextWriter.Null), Is.EqualTo(0));
        var err = new StringWriter();
        Assert.That(GpuCascade.Cli.CliApp.Run(["merge", p0, p1, "--json", merged, "--quiet"], TextWriter.Null, err), Is.EqualTo(0), err.ToString());
        Assert.That(GpuCascade.Cli.CliApp.Run(["run", scenario, "--paths", "32768", "--backend", "managed", "--json", whole, "--quiet"], TextWriter.Null, TextWriter.Null), Is.EqualTo(0));
        static string Figures(string file) => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!["probabilities"]!.ToJsonString();
        Assert.That(Figures(merged), Is.EqualTo(Figures(whole)), "the merged shards are the whole run");
    }

    [Test]
    public void AScenarioWrittenElsewhereNamesTheFilesFromThere()
    {
        string scenario = Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios", "historical-bootstrap.yaml");
        string oi = Path.Combine(_dir, "oi.csv"), output = Path.Combine(_dir, "deep", "today.yaml");
        File.WriteAllText(oi, "timestamp,openInterestUsd\n2025-10-10,4e9\n");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var err = new StringWriter();
        Assert.That(GpuCascade.Cli.CliApp.Run(["book", "--open-interest", $"BTC={oi}", "--base", scenario, "--out", output], TextWriter.Null, err), Is.EqualTo(0), err.ToString());
        var written = ScenarioLoader.LoadFile(output);
        Assert.That(written.History!.Prices.Select(p => p.Closes), Is.EqualTo(ScenarioLoader.LoadFile(scenario).History!.Prices.Select(p => p.Closes)));
    }

    [Test]
    public void AReplayAcrossAGapIsRefusedNamingTheMissingInterval()
    {
        Write("btc.csv", Closes(DistinctReturns(40)), keep: k => k != 15);
        var e = Assert.Throws<ScenarioException>(() => Load("method: replay, from: '2025-01-01T10:00:00Z'"))!;
        Assert.That(e.Errors.Single().Message, Does.Contain("cross a gap").And.Contain("2025-01-01T15:00:00Z"));
    }

    [Test]
    public void AStepThatIsNoWholeNumberOfSecondsIsRefused()
    {
        Write("btc.csv", Closes(DistinctReturns(40)));
        string file = Path.Combine(_dir, "odd.yaml");
        File.WriteAllText(file, """
            horizon: 1h
            steps: 7
            paths: 1
            seed: 1
            history: {method: bootstrap, prices: {BTC: btc.csv}}
            assets: [{symbol: BTC, price: 100, volatility: 0.6, depth1pct: 1e12}]
            venue: {maintenanceMargin: 0.01}
            book: {cohorts: [{asset: BTC, side: long, notional: 1.0e4, leverage: 2}]}
            """);
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadFile(file))!;
        Assert.That(e.Errors.Single().Path, Is.EqualTo("history"));
        Assert.That(e.Errors.Single().Message, Does.Contain("whole number of seconds"));
    }
}

/// <summary>The three historical methods, with GARCH and a dynamic margin, on every ILGPU device against the managed
/// reference (the repository's example scenario: two assets, its own data).</summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class HistoryParityTests(string deviceName, string reason) : DeviceFixture(deviceName, reason)
{
    [TestCase(HistoryMethod.Bootstrap)]
    [TestCase(HistoryMethod.Filtered)]
    [TestCase(HistoryMethod.Replay)]
    public void PerPathOutputsMatchTheManagedReference(HistoryMethod method)
    {
        var s = ScenarioLoader.LoadFile(Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios", "historical-bootstrap.yaml"));
        var history = s.History! with { Method = method, From = method == HistoryMethod.Replay ? new DateTimeOffset(2025, 10, 10, 12, 0, 0, TimeSpan.Zero) : null };
        s = s with
        {
            History = history,
            Garch = new GarchSpec(0.08, 0.9),
            Venue = s.Venue with { MaintenanceMargin = [new DynamicMargin(0.004, 3, Duration.Parse("1h")), new StaticMargin(0.005)] },
        };
        MechanismChecks.AssertParity(Device, s);
    }
}
