using GpuCascade.Kernels;
using System.Globalization;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.ResearchData;

/// <summary>
/// Parquet for research (docs/research-data.md): the per-path file holds exactly what <see cref="SimulationEngine.SimulatePaths"/>
/// gives for the same paths, in path order, whatever the batches, threads and row groups; the series and sample-path
/// files hold the CSV's rows.
/// </summary>
public class ParquetTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("gpucascade-parquet-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static readonly Scenario Short = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h"), Paths = 3000 };

    private static Scenario FlashCrash() => ScenarioLoader.LoadFile(Path.Combine(
        GpuCascade.Tests.Scenarios.ScenarioDocsTests.RepositoryRoot(), "scenarios", "flash-crash.yaml")) with { Paths = 2048 };

    /// <summary>Runs <paramref name="s"/> writing its paths to <paramref name="file"/>.</summary>
    private static RunResult RunTo(string file, Scenario s, int threads, int? batch, int? rowGroupRows = null, CancellationToken stop = default,
        Action? afterBlock = null)
    {
        using var writer = new PathsParquetWriter(file, s, "managed", rowGroupRows);
        var result = SimulationEngine.Run(s, new RunOptions
        {
            Backend = new ManagedBackend(threads), BatchSize = batch,
            PathSink = (o, from, to) =>
            {
                writer.Add(o, from, to);
                afterBlock?.Invoke();
            },
        }, stop);
        writer.Commit();
        return result;
    }

    private static long[] Bits(double[] values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];

    /// <summary>Every column of <paramref name="table"/> against <paramref name="expected"/>'s arrays, bit for bit.</summary>
    private static void AssertHolds(ParquetTable table, PathOutputs expected, IReadOnlyList<string> symbols, long firstPath = 0)
    {
        int n = expected.Count, a = symbols.Count;
        Assert.That(table.Rows, Is.EqualTo(n));
        Assert.That(table.Names, Is.EqualTo(PathsParquetWriter.ColumnNames(symbols)));
        Assert.That(table.Column<long>("path"), Is.EqualTo(Enumerable.Range(0, n).Select(p => firstPath + p).ToArray()));
        // Every output of the schema, each in its storage type, against the slot matrix's column.
        foreach (var row in OutputSchema.Rows)
            for (int i = 0; i < row.Width(a); i++)
            {
                string name = row.Shape == OutputShape.PerPath ? row.ParquetName : $"{row.ParquetName}_{symbols[i]}";
                double[] values = expected.Span(row, i)[..n].ToArray();
                switch (row.Storage)
                {
                    case OutputStorage.Integer:
                        Assert.That(table.Column<int>(name), Is.EqualTo(values.Select(v => (int)v).ToArray()), name);
                        break;
                    case OutputStorage.Count:
                        Assert.That(table.Column<long>(name), Is.EqualTo(values.Select(v => (long)v).ToArray()), name);
                        break;
                    case OutputStorage.Flag:
                        Assert.That(table.Column<bool>(name), Is.EqualTo(values.Select(v => v != 0).ToArray()), name);
                        break;
                    default:
                        Assert.That(Bits(table.Column<double>(name)), Is.EqualTo(Bits(values)), name);
                        break;
                }
            }
        Assert.That(table.Names, Does.Contain("adlAbsorbed").And.Contain("queueMaxNotional").And.Contain("maxDrawdown_" + symbols[0]),
            "the columns keep their names");
    }

    private static IReadOnlyList<string> Symbols(Scenario s) => [.. s.Assets.Select(x => x.Symbol)];

    [TestCase(1, null, null, TestName = "one thread, the backend's batch, one row group")]
    [TestCase(2, 1024, 2048, TestName = "two threads, batches of one block, row groups across batches")]
    [TestCase(2, 2048, 1024, TestName = "two threads, batches of two blocks, several row groups per batch")]
    public void ThePathsFileHoldsSimulatePathsBitForBit(int threads, int? batch, int? rowGroupRows)
    {
        var result = RunTo(F("paths.parquet"), Short, threads, batch, rowGroupRows);
        var table = ParquetTable.Read(F("paths.parquet"));
        AssertHolds(table, SimulationEngine.SimulatePaths(Short, 0, 3000), Symbols(Short));
        int groupRows = rowGroupRows ?? 3000;
        Assert.That(table.RowGroups, Is.EqualTo(Enumerable.Range(0, (3000 + groupRows - 1) / groupRows).Select(g => (long)Math.Min(groupRows, 3000 - g * groupRows)).ToArray()));
        Assert.That(result.Paths, Is.EqualTo(3000));
        Assert.That(table.Metadata["gpucascade.scenarioSha256"], Is.EqualTo(ScenarioJson.Sha256(Short)));
        Assert.That(table.Metadata["gpucascade.seed"], Is.EqualTo(Short.Seed.ToString(CultureInfo.InvariantCulture)));
        Assert.That(table.Metadata["gpucascade.assets"], Is.EqualTo("BTC,ETH,SOL"));
        Assert.That(table.Metadata["gpucascade.backend"], Is.EqualTo("managed"));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EqualTo(new[] { "paths.parquet" }), "no temporary file left");
    }

    [Test]
    public void EveryMechanismOfTheFlashCrashComesThrough()
    {
        // ADL, the liquidation queue, thinning depth and uncertain inputs are on: their columns are not all zero.
        var s = FlashCrash();
        RunTo(F("fc.parquet"), s, 2, 1024, 1024);
        var table = ParquetTable.Read(F("fc.parquet"));
        AssertHolds(table, SimulationEngine.SimulatePaths(s, 0, 2048), Symbols(s));
        foreach (var name in new[] { "adlNotional", "queueMaxNotional", "queueSteps", "badDebt", "liquidatedNotional_ETH", "maxDisplacement_BTC" })
            Assert.That(table.Column<double>(name).Any(v => v > 0), name);
        Assert.That(table.Column<double>("minDepthFactor_BTC").Any(v => v < 1), "depth thins");
    }

    [Test]
    public void TheFileIsTheSameBytesWhateverTheThreadsAndBatches()
    {
        RunTo(F("a.parquet"), Short, 1, null);
        RunTo(F("b.parquet"), Short, 2, 1024);
        Assert.That(File.ReadAllBytes(F("b.parquet")), Is.EqualTo(File.ReadAllBytes(F("a.parquet"))));
        // ... and the same as SimulatePaths' outputs written in one go.
        ParquetFiles.WritePaths(F("c.parquet"), Short, SimulationEngine.SimulatePaths(Short, 0, 3000), "managed");
        Assert.That(File.ReadAllBytes(F("c.parquet")), Is.EqualTo(File.ReadAllBytes(F("a.parquet"))));
    }

    [Test]
    public void WritingThePathsChangesNoFigure()
    {
        var plain = SimulationEngine.Run(Short, new RunOptions { Backend = new ManagedBackend(2) });
        var written = RunTo(F("paths.parquet"), Short, 2, null);
        Assert.That(TestScenarios.Reproducible(written), Is.EqualTo(TestScenarios.Reproducible(plain)));
        // The file's own figures agree with the result's.
        var table = ParquetTable.Read(F("paths.parquet"));
        Assert.That(table.Column<double>("badDebt").Average(), Is.EqualTo(written.BadDebt.Mean).Within(1e-9).Percent);
        Assert.That(table.Column<bool>("cascade").Count(c => c) / 3000.0, Is.EqualTo(written.Probabilities.Cascade.Estimate).Within(1e-12));
    }

    [Test]
    public void AStoppedRunWritesTheExactPrefixItReports()
    {
        using var stop = new CancellationTokenSource();
        var result = RunTo(F("paths.parquet"), Short, 1, 1024, stop: stop.Token, afterBlock: stop.Cancel);
        Assert.That(result.Run.Cancelled, Is.True);
        var table = ParquetTable.Read(F("paths.parquet"));
        Assert.That(table.Rows, Is.EqualTo(result.Paths).And.EqualTo(1024));
        AssertHolds(table, SimulationEngine.SimulatePaths(Short, 0, 1024), Symbols(Short));
    }

    [Test]
    public void AFileNotCommittedLeavesNothingAndKeepsTheOldOne()
    {
        File.WriteAllText(F("paths.parquet"), "old");
        using (var writer = new PathsParquetWriter(F("paths.parquet"), Short))
            writer.Add(SimulationEngine.SimulatePaths(Short, 0, 1024), 0, 1024);
        Assert.That(File.ReadAllText(F("paths.parquet")), Is.EqualTo("old"));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "the temporary file is removed");
    }

    [Test]
    public void PathsMustArriveInOrder()
    {
        using var writer = new PathsParquetWriter(F("paths.parquet"), Short);
        var first = SimulationEngine.SimulatePaths(Short, 0, 1024);
        writer.Add(first, 0, 512);
        var e = Assert.Throws<InvalidOperationException>(() => writer.Add(first, 600, 700));
        Assert.That(e!.Message, Does.Contain("expected path 512, got 600"));
    }

    [Test]
    public void PerAssetColumnsAreNamedMetricUnderscoreSymbol()
    {
        var names = PathsParquetWriter.ColumnNames(["BTC", "ETH"]);
        Assert.That(names[0], Is.EqualTo("path"));
        // The path index, then a column per per-path row of the schema (mechanisms' included) and one per asset of each per-asset row.
        int perPath = OutputSchema.Rows.Count(r => r.Shape == OutputShape.PerPath);
        int perAsset = OutputSchema.Rows.Count(r => r.Shape == OutputShape.PerAsset);
        Assert.That(perAsset, Is.EqualTo(6));
        Assert.That(names, Has.Count.EqualTo(1 + perPath + perAsset * 2).And.Contains("maxDrawdown_BTC").And.Contains("minDepthFactor_ETH").And.Contains("liquidatedNotional").And.Contains("anyLiquidation"));
        Assert.That(names, Is.Unique);
    }

    [Test]
    public void SeriesAndSamplePathsHoldTheCsvRows()
    {
        var r = SimulationEngine.Run(Short, new RunOptions { Backend = new ManagedBackend(2), Series = true, SamplePaths = 3 });
        ParquetFiles.WriteSeries(F("s.parquet"), r.Series!);
        ParquetFiles.WriteSamplePaths(F("p.parquet"), r.SamplePaths!);

        var series = ParquetTable.Read(F("s.parquet"));
        Assert.That(series.Names, Is.EqualTo(ParquetFiles.SeriesColumns));
        var csv = SeriesFiles.SeriesCsv(r.Series!).TrimEnd('\n').Split('\n');
        Assert.That(csv[0], Is.EqualTo(string.Join(",", ParquetFiles.SeriesColumns)));
        Assert.That(series.Rows, Is.EqualTo(csv.Length - 1));
        var (step, time, asset, metric, statistic, value) = (series.Column<int>("step"), series.Column<double>("time"), series.Column<string>("asset"),
            series.Column<string>("metric"), series.Column<string>("statistic"), series.Column<double>("value"));
        for (int k = 1; k < csv.Length; k++)
        {
            var f = csv[k].Split(',');
            int row = k - 1;
            Assert.That(step[row].ToString(CultureInfo.InvariantCulture), Is.EqualTo(f[0]), $"row {row}");
            Assert.That(time[row], Is.EqualTo(double.Parse(f[1], CultureInfo.InvariantCulture)), $"row {row}");
            Assert.That(asset[row], Is.EqualTo(f[2].Length == 0 ? null : f[2]), $"row {row}: null where the CSV is empty");
            Assert.That((metric[row], statistic[row]), Is.EqualTo((f[3], f[4])), $"row {row}");
            if (f[5].Length == 0) Assert.That(double.IsFinite(value[row]), Is.False, $"row {row}");
            else Assert.That(value[row], Is.EqualTo(double.Parse(f[5], CultureInfo.InvariantCulture)), $"row {row}");
        }

        var samples = ParquetTable.Read(F("p.parquet"));
        Assert.That(samples.Names, Is.EqualTo(ParquetFiles.SamplePathColumns));
        var lines = SeriesFiles.SamplePathsCsv(r.SamplePaths!).TrimEnd('\n').Split('\n');
        Assert.That(lines[0], Is.EqualTo(string.Join(",", ParquetFiles.SamplePathColumns)));
        Assert.That(samples.Rows, Is.EqualTo(lines.Length - 1).And.EqualTo(3 * 25 * 3));
        for (int k = 1; k < lines.Length; k++)
        {
            var f = lines[k].Split(',');
            int row = k - 1;
            Assert.That(samples.Column<long>("path")[row].ToString(CultureInfo.InvariantCulture), Is.EqualTo(f[0]));
            Assert.That(samples.Column<int>("step")[row].ToString(CultureInfo.InvariantCulture), Is.EqualTo(f[1]));
            Assert.That(samples.Column<string>("asset")[row], Is.EqualTo(f[3]));
            for (int c = 1; c < ParquetFiles.SamplePathColumns.Count; c++)
            {
                if (c is 1 or 3) continue;
                double v = c == 2 ? samples.Column<double>("time")[row] : samples.Column<double>(ParquetFiles.SamplePathColumns[c])[row];
                if (f[c].Length == 0) Assert.That(double.IsFinite(v), Is.False);
                else Assert.That(v, Is.EqualTo(double.Parse(f[c], CultureInfo.InvariantCulture)), $"row {row}, {ParquetFiles.SamplePathColumns[c]}");
            }
        }
    }
}
