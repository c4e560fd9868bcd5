using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// The outputs over time (docs/model.md section 8.5, run --series, --sample-paths): the records agree with the per-path outputs, the
/// start is exactly 1, the series does not depend on batches, backends, checkpoints or shards, and recording changes
/// nothing else.
/// </summary>
public class SeriesTests
{
    private static readonly Scenario Short = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h"), Paths = 3000 };

    private static Scenario FlashCrash() => ScenarioLoader.LoadFile(Path.Combine(
        GpuCascade.Tests.Scenarios.ScenarioDocsTests.RepositoryRoot(), "scenarios", "flash-crash.yaml")) with { Paths = 2048 };

    private static RunResult Run(Scenario s, int? batch = null, bool series = true, int samples = 0, GpuCascade.Paths.ISimulationBackend? backend = null) =>
        SimulationEngine.Run(s, new RunOptions { Backend = backend ?? new ManagedBackend(2), BatchSize = batch, Series = series, SamplePaths = samples });

    private static string Csv(RunResult r) => SeriesFiles.SeriesCsv(r.Series!);

    [Test]
    public void TheStartIsExactlyOneAndEveryRowCountsEveryPath()
    {
        var r = Run(Short);
        var s = r.Series!;
        Assert.That(s.Steps, Is.EqualTo(24));
        Assert.That(s.Paths, Is.EqualTo(3000));
        foreach (var symbol in s.Symbols)
            foreach (var metric in new[] { SeriesMetric.Price, SeriesMetric.ExogenousPrice })
            {
                foreach (double q in new[] { 0, 0.01, 0.5, 0.99, 1 }) Assert.That(s.Quantile(0, symbol, metric, q), Is.EqualTo(1.0), $"{symbol} {metric} q{q}");
                Assert.That(s.Mean(0, metric, symbol).Mean, Is.EqualTo(1.0));
                // Later rows spread, and their quantiles are ordered.
                var q24 = SeriesResult.QuantileLevels.Select(l => s.Quantile(24, symbol, metric, l)).ToList();
                Assert.That(q24, Is.Ordered);
                Assert.That(q24[^1], Is.GreaterThan(q24[0]));
            }
        Assert.That(s.Mean(0, SeriesMetric.Fund).Mean, Is.EqualTo(r.InsuranceFund.Start));
        Assert.That(s.Mean(24, SeriesMetric.Fund).Mean, Is.EqualTo(r.InsuranceFund.End.Mean).Within(1e-9).Percent, "the last row's fund is the path's end");
    }

    [Test]
    public void RecordingChangesNoOtherFigure()
    {
        var plain = Run(Short, series: false);
        var recorded = Run(Short, samples: 10);
        Assert.That(TestScenarios.Reproducible(recorded), Is.EqualTo(TestScenarios.Reproducible(plain)));
    }

    [Test]
    public void TheRecordsAgreeWithThePerPathOutputsOnEveryMechanism()
    {
        // The flash crash has depth under stress, capacity, ADL and uncertain inputs on: the last row holds the path's
        // cumulative liquidations, fund and uncovered loss exactly, and the rows' lowest depth is the path's minimum.
        var scenario = FlashCrash();
        const int n = 200;
        var paths = Run(scenario with { Paths = n }, series: false, samples: n).SamplePaths!;
        var outputs = SimulationEngine.SimulatePaths(scenario, 0, n);
        int assets = scenario.Assets.Length, last = paths.Steps;
        Assert.That(paths.Count, Is.EqualTo(n));
        int queued = 0, liquidated = 0;
        for (int p = 0; p < n; p++)
        {
            Assert.That(paths.Fund(p, last), Is.EqualTo(outputs.FundEnd[p]), $"path {p}: fund");
            Assert.That(paths.UncoveredBeforeAdl(p, last), Is.EqualTo(outputs.UncoveredBeforeAdl[p]), $"path {p}: uncovered before ADL");
            double queueMax = 0, fundMin = paths.Fund(p, 0);
            for (int k = 0; k <= last; k++)
            {
                queueMax = Math.Max(queueMax, Enumerable.Range(0, assets).Sum(i => paths.QueuedNotional(p, k, i)));
                fundMin = Math.Min(fundMin, paths.Fund(p, k));
            }
            Assert.That(queueMax, Is.EqualTo(outputs["queue.maxNotional"][p]).Within(1e-9).Percent, $"path {p}: largest queue");
            Assert.That(fundMin, Is.GreaterThanOrEqualTo(outputs.FundMin[p]), $"path {p}: the fund's lowest (within a step it can be lower)");
            if (queueMax > 0) queued++;
            for (int i = 0; i < assets; i++)
            {
                double sum = 0, depthMin = double.PositiveInfinity, priceMin = double.PositiveInfinity;
                for (int k = 0; k <= last; k++)
                {
                    sum += paths.LiquidatedNotional(p, k, i);
                    depthMin = Math.Min(depthMin, paths.DepthFactor(p, k, i));
                    priceMin = Math.Min(priceMin, paths.Price(p, k, i));
                    Assert.That(paths.LiquidatedNotional(p, k, i), Is.GreaterThanOrEqualTo(0));
                }
                Assert.That(sum, Is.EqualTo(outputs.LiquidatedNotionalByAsset[p * assets + i]).Within(1e-9).Percent, $"path {p} asset {i}: liquidations");
                Assert.That(depthMin, Is.EqualTo(outputs.MinDepthFactor[p * assets + i]), $"path {p} asset {i}: lowest depth");
                // Step ends only: the path's lowest mid (after every round) is at or below them.
                Assert.That(1 - priceMin, Is.LessThanOrEqualTo(outputs.MaxDrawdown[p * assets + i] + 1e-15), $"path {p} asset {i}: drawdown");
                if (sum > 0) liquidated++;
            }
        }
        Assert.That(queued, Is.GreaterThan(0), "some path queues (the test sees the capacity)");
        Assert.That(liquidated, Is.GreaterThan(0), "some path liquidates");
    }

    [Test]
    public void TheProbabilityOfAFundDepletedByTheEndIsTheRunsOwn()
    {
        var r = Run(FlashCrash());
        var s = r.Series!;
        Assert.That(s.Mean(s.Steps, SeriesMetric.PFundDepleted).Mean, Is.EqualTo(r.Probabilities.FundDepleted.Estimate).Within(1e-12));
        // Non-decreasing over time: once depleted, a path stays depleted.
        var p = Enumerable.Range(0, s.Steps + 1).Select(k => s.Mean(k, SeriesMetric.PFundDepleted).Mean).ToList();
        Assert.That(p, Is.Ordered);
        // P(liquidation in some step) is at most P(any liquidation on the path), and some step liquidates.
        double pAny = r.Probabilities.AnyLiquidation.Estimate;
        for (int k = 0; k <= s.Steps; k++)
            foreach (var symbol in s.Symbols) Assert.That(s.Mean(k, SeriesMetric.PLiquidation, symbol).Mean, Is.LessThanOrEqualTo(pAny + 1e-12));
    }

    [Test]
    public void TheSeriesDoesNotDependOnTheBatchOrTheThreads()
    {
        string a = Csv(Run(Short, batch: 1024));
        string b = Csv(SimulationEngine.Run(Short, new RunOptions { Backend = new ManagedBackend(1), BatchSize = 3072, Series = true }));
        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public void IlgpuCpuRecordsTheSameSeriesBitForBit()
    {
        var scenario = FlashCrash() with { Paths = 1024 };
        using var device = new IlgpuBackend(IlgpuDevices.Find("ilgpu-cpu")!);
        var onDevice = Run(scenario, backend: device, samples: 5);
        var managed = Run(scenario, samples: 5);
        Assert.That(Csv(onDevice), Is.EqualTo(Csv(managed)));
        Assert.That(SeriesFiles.SamplePathsCsv(onDevice.SamplePaths!), Is.EqualTo(SeriesFiles.SamplePathsCsv(managed.SamplePaths!)));
    }

    [Test]
    public void ShardsMergeIntoTheOneShotSeries()
    {
        var scenario = Short with { Paths = 40_000 }; // three segments, the last shorter
        var whole = Run(scenario, samples: 3);
        string dir = Directory.CreateTempSubdirectory("gpucascade-series-").FullName;
        try
        {
            var files = new List<string>();
            for (int i = 0; i < 2; i++)
            {
                string file = Path.Combine(dir, $"part{i}.bin");
                Assert.That(Shards.RunShard(scenario, i, 2, file, new RunOptions { Backend = new ManagedBackend(2), Series = true, SamplePaths = 3 }), Is.Not.Null);
                files.Add(file);
            }
            files.Reverse();
            var merged = Shards.Merge(files);
            Assert.That(Csv(merged), Is.EqualTo(Csv(whole)));
            Assert.That(SeriesFiles.SamplePathsCsv(merged.SamplePaths!), Is.EqualTo(SeriesFiles.SamplePathsCsv(whole.SamplePaths!)));
            // A shard run without the series does not merge with one run with it.
            string plain = Path.Combine(dir, "plain1.bin");
            Shards.RunShard(scenario, 1, 2, plain, new RunOptions { Backend = new ManagedBackend(2), SamplePaths = 3 });
            var e = Assert.Throws<GpuCascade.Simulation.CheckpointException>(() => Shards.Merge([files[1], plain]))!;
            Assert.That(e.Message, Does.Contain("--series"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void SamplePathsAreTheFirstPathsAndBounded()
    {
        var r = Run(Short with { Paths = 2048 }, series: false, samples: 4);
        Assert.That(r.Series, Is.Null);
        Assert.That(r.SamplePaths!.Count, Is.EqualTo(4));
        var outputs = SimulationEngine.SimulatePaths(Short, 0, 4);
        for (int p = 0; p < 4; p++)
            Assert.That(r.SamplePaths.Fund(p, r.SamplePaths.Steps), Is.EqualTo(outputs.FundEnd[p]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Run(Short with { Paths = 10 }, samples: 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => Run(Short, samples: SamplePaths.MaxCount + 1));
    }
}
