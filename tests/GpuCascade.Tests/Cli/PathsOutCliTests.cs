using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.ResearchData;

namespace GpuCascade.Tests.Cli;

/// <summary>run --paths-out FILE.parquet, shards writing one file each, Parquet series and sample paths (run and merge),
/// and the mistakes refused before anything runs.</summary>
public class PathsOutCliTests : CliTestBase
{
    private string F(string name) => Path.Combine(_dir, name);

    /// <summary>The default scenario cut to 24 five-minute steps, as a file (the normalised YAML of scenario check).</summary>
    private string ShortScenario()
    {
        string file = F("short.yaml");
        File.WriteAllText(file, ScenarioYaml.Normalised(ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h") }));
        return file;
    }

    private static long[] Bits(double[] v) => [.. v.Select(BitConverter.DoubleToInt64Bits)];

    [Test]
    public void RunWritesEveryPathAsSimulatePathsGivesIt()
    {
        string scenario = ShortScenario();
        var (code, _, err) = Run("run", scenario, "--paths", "3000", "--threads", "2", "--backend", "managed", "--quiet", "--paths-out", F("paths.parquet"));
        Assert.That(code, Is.Zero, err);
        var table = ParquetTable.Read(F("paths.parquet"));
        var expected = SimulationEngine.SimulatePaths(ScenarioLoader.LoadFile(scenario), 0, 3000);
        Assert.That(table.Rows, Is.EqualTo(3000));
        Assert.That(table.Column<long>("path"), Is.EqualTo(Enumerable.Range(0, 3000).Select(p => (long)p).ToArray()));
        Assert.That(Bits(table.Column<double>("badDebt")), Is.EqualTo(Bits([.. expected.BadDebt])));
        Assert.That(Bits(table.Column<double>("maxDrawdown_SOL")), Is.EqualTo(Bits([.. Enumerable.Range(0, 3000).Select(p => expected.MaxDrawdown[p * 3 + 2])])));
        Assert.That(table.Column<long>("marginChecks"), Is.EqualTo(expected.MarginChecks.Select(v => (long)v).ToArray()));
        Assert.That(table.Metadata["gpucascade.paths"], Is.EqualTo("3000"), "the scenario as run: --paths applies");
        Assert.That(table.Metadata["gpucascade.firstPath"], Is.EqualTo("0"));
        Assert.That(table.Metadata["gpucascade.writtenPaths"], Is.EqualTo("3000"));
        Assert.That(table.Metadata["gpucascade.backend"], Is.EqualTo("managed"));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "short.yaml", "paths.parquet" }));
    }

    [Test]
    public void ShardsWriteTheirOwnPathsWhichTogetherAreTheWholeRun()
    {
        string scenario = ShortScenario();
        Assert.That(Run("run", scenario, "--paths", "20000", "--quiet", "--paths-out", F("whole.parquet")).Code, Is.Zero);
        for (int i = 0; i < 2; i++)
        {
            var (code, _, err) = Run("run", scenario, "--paths", "20000", "--quiet", "--shard", $"{i}/2", "--partial", F($"part{i}.bin"),
                "--paths-out", F($"paths{i}.parquet"));
            Assert.That(code, Is.Zero, err);
        }
        var whole = ParquetTable.Read(F("whole.parquet"));
        var parts = new[] { ParquetTable.Read(F("paths0.parquet")), ParquetTable.Read(F("paths1.parquet")) };
        Assert.That(parts[0].Column<long>("path")[0], Is.EqualTo(0));
        Assert.That(parts[1].Column<long>("path")[0], Is.EqualTo(SimulationEngine.SegmentPaths));
        foreach (var name in whole.Names)
        {
            var joined = new List<object>();
            foreach (var part in parts) joined.AddRange(part.Columns[name].Cast<object>());
            Assert.That(joined, Is.EqualTo(whole.Columns[name].Cast<object>().ToList()), name);
        }
    }

    [Test]
    public void SeriesAndSamplePathsAreParquetWhenTheNameSaysSo()
    {
        string scenario = ShortScenario();
        string[] run = ["run", scenario, "--paths", "2048", "--quiet"];
        Assert.That(Run([.. run, "--series", F("s.csv"), "--sample-paths", "2", F("p.csv")]).Code, Is.Zero);
        var (code, _, err) = Run([.. run, "--series", F("s.parquet"), "--sample-paths", "2", F("p.parquet")]);
        Assert.That(code, Is.Zero, err);
        AssertSameRows(F("s.parquet"), F("s.csv"));
        AssertSameRows(F("p.parquet"), F("p.csv"));
    }

    [Test]
    public void MergeWritesParquetSeriesToo()
    {
        string scenario = ShortScenario();
        Assert.That(Run("run", scenario, "--paths", "20000", "--quiet", "--series", F("whole.csv"), "--sample-paths", "2", F("whole-p.csv")).Code, Is.Zero);
        for (int i = 0; i < 2; i++)
            Assert.That(Run("run", scenario, "--paths", "20000", "--quiet", "--shard", $"{i}/2", "--partial", F($"part{i}.bin"),
                "--series", F($"s{i}.parquet"), "--sample-paths", "2", F($"p{i}.parquet")).Code, Is.Zero);
        var (code, _, err) = Run("merge", F("part0.bin"), F("part1.bin"), "--quiet", "--series", F("merged.parquet"), "--sample-paths", F("merged-p.parquet"));
        Assert.That(code, Is.Zero, err);
        AssertSameRows(F("merged.parquet"), F("whole.csv"));
        AssertSameRows(F("merged-p.parquet"), F("whole-p.csv"));
    }

    /// <summary>The Parquet file holds the CSV's rows: the same columns, and each value the same (text fields, null where the
    /// CSV is empty; numbers parsed, non-finite where the CSV is empty).</summary>
    private static void AssertSameRows(string parquet, string csv)
    {
        var table = ParquetTable.Read(parquet);
        var lines = File.ReadAllText(csv).TrimEnd('\n').Split('\n');
        Assert.That(string.Join(",", table.Names), Is.EqualTo(lines[0]));
        Assert.That(table.Rows, Is.EqualTo(lines.Length - 1));
        for (int c = 0; c < table.Names.Count; c++)
        {
            var column = table.Columns[table.Names[c]];
            for (int row = 0; row < table.Rows; row++)
            {
                string field = lines[row + 1].Split(',')[c];
                object? value = column.GetValue(row);
                switch (value)
                {
                    case double d when field.Length == 0:
                        Assert.That(double.IsFinite(d), Is.False, $"{parquet}: row {row}, {table.Names[c]}");
                        break;
                    case double d:
                        Assert.That(d, Is.EqualTo(double.Parse(field, System.Globalization.CultureInfo.InvariantCulture)), $"{parquet}: row {row}, {table.Names[c]}");
                        break;
                    default:
                        Assert.That(value is null ? "" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(field),
                            $"{parquet}: row {row}, {table.Names[c]}");
                        break;
                }
            }
        }
    }

    [TestCase("missing-dir/paths.parquet", "--paths-out: the directory", "does not exist")]
    [TestCase("paths.csv", "--paths-out: writes Parquet; give a file name ending in .parquet", "paths.csv")]
    [TestCase("-", "--paths-out: needs a file, not stdout", "Parquet")]
    [TestCase("", "--paths-out: needs a file name", "empty")]
    public void ABadPathsOutIsRefusedBeforeAnythingRuns(string file, string expected, string also)
    {
        string path = file is "-" or "" ? file : F(file);
        var (code, stdout, err) = Run("run", "--paths", "1024", "--paths-out", path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain(expected).And.Contain(also));
        Assert.That(stdout, Is.Empty, "nothing ran");
    }

    [Test]
    public void PathsOutIsADirectoryOrClashesWithAnotherOutput()
    {
        Directory.CreateDirectory(F("dir.parquet"));
        var dir = Run("run", "--paths", "1024", "--paths-out", F("dir.parquet"));
        Assert.That(dir.Code, Is.EqualTo(2));
        Assert.That(dir.Err, Does.Contain("--paths-out:").And.Contain("is a directory"));
        var clash = Run("run", "--paths", "1024", "--series", F("x.parquet"), "--paths-out", F("x.parquet"));
        Assert.That(clash.Code, Is.EqualTo(2));
        Assert.That(clash.Err, Does.Contain("--series and --paths-out both write"));
    }

    [Test]
    public void PathsOutWithACheckpointIsRefusedNamingBoth()
    {
        var (code, _, err) = Run("run", "--paths", "1024", "--paths-out", F("p.parquet"), "--checkpoint", F("c.bin"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--paths-out and --checkpoint cannot be combined"));
        Assert.That(File.Exists(F("c.bin")), Is.False);
    }
}
