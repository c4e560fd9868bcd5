using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using Parquet;
using Parquet.Schema;

namespace GpuCascade.Reporting;

/// <summary>
/// Parquet for research code (pandas, polars, DuckDB; docs/research-data.md): <c>run --series</c> and
/// <c>--sample-paths</c> when the file name ends in <c>.parquet</c>, in the long format of their CSV (one value per row,
/// the same columns), and per-path outputs (<see cref="PathsParquetWriter"/>). Written with Parquet.Net, a fully managed
/// implementation: no native library to ship with the self-contained CLI. Numbers are stored exactly (IEEE doubles), so
/// values the CSV leaves empty (NaN, infinities) keep their value here.
/// </summary>
public static class ParquetFiles
{
    /// <summary>Rows per row group of the long-format files (they are streamed in groups of this size).</summary>
    public const int LongRowGroupRows = 1 << 20;

    /// <summary>Whether <paramref name="path"/> asks for Parquet (it ends in .parquet).</summary>
    public static bool IsParquet(string path) =>
        (path ?? throw new ArgumentNullException(nameof(path))).EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The columns of the series file, as in its CSV.</summary>
    public static IReadOnlyList<string> SeriesColumns { get; } = ["step", "time", "asset", "metric", "statistic", "value"];

    /// <summary>The columns of the sample-paths file, as in its CSV.</summary>
    public static IReadOnlyList<string> SamplePathColumns { get; } =
        ["path", "step", "time", "asset", "price", "exogenousPrice", "liquidatedNotional", "depthFactor", "queuedNotional", "fund", "uncoveredBeforeAdl"];

    /// <summary>Writes the outputs over time to <paramref name="path"/> atomically: <c>step</c> (int32), <c>time</c> (hours,
    /// double), <c>asset</c> (string, null for the fund's metrics where the CSV has an empty field), <c>metric</c>,
    /// <c>statistic</c> (strings) and <c>value</c> (double), one row per row of the CSV, in its order.</summary>
    public static void WriteSeries(string path, SeriesResult series)
    {
        ArgumentNullException.ThrowIfNull(series);
        AtomicFile.Write(path, stream => WriteSeries(stream, series));
    }

    /// <summary>Writes the outputs over time as Parquet to <paramref name="stream"/> (seekable).</summary>
    public static void WriteSeries(Stream stream, SeriesResult series)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(series);
        var step = new DataField<int>("step");
        var time = new DataField<double>("time");
        var asset = new DataField<string>("asset", nullable: true);
        var metric = new DataField<string>("metric", nullable: false);
        var statistic = new DataField<string>("statistic", nullable: false);
        var value = new DataField<double>("value");
        var schema = new ParquetSchema(step, time, asset, metric, statistic, value);
        int rows = LongRowGroupRows;
        var steps = new int[rows];
        var times = new double[rows];
        var assets = new string?[rows];
        var metrics = new string[rows];
        var statistics = new string[rows];
        var values = new double[rows];
        Write(stream, schema, Metadata(), series.Points(), rows, (p, k) =>
        {
            steps[k] = p.Step;
            times[k] = p.Time;
            assets[k] = p.Asset.Length == 0 ? null : p.Asset;
            metrics[k] = p.Metric;
            statistics[k] = p.Statistic;
            values[k] = p.Value;
        }, async (group, n) =>
        {
            await group.WriteAsync(step, new ReadOnlyMemory<int>(steps, 0, n));
            await group.WriteAsync(time, new ReadOnlyMemory<double>(times, 0, n));
            await group.WriteAsync(asset, new ArraySegment<string?>(assets, 0, n)!);
            await group.WriteAsync(metric, new ArraySegment<string>(metrics, 0, n));
            await group.WriteAsync(statistic, new ArraySegment<string>(statistics, 0, n));
            await group.WriteAsync(value, new ReadOnlyMemory<double>(values, 0, n));
        });

        Dictionary<string, string> Metadata() => new(StringComparer.Ordinal)
        {
            [PathsParquetWriter.MetadataPrefix + "engine"] = EngineInfo.Version,
            [PathsParquetWriter.MetadataPrefix + "paths"] = series.Paths.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [PathsParquetWriter.MetadataPrefix + "steps"] = series.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [PathsParquetWriter.MetadataPrefix + "stepHours"] = series.StepHours.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            [PathsParquetWriter.MetadataPrefix + "assets"] = string.Join(",", series.Symbols),
        };
    }

    /// <summary>Writes sample paths to <paramref name="path"/> atomically: <c>path</c> (int64, the global path index, as in
    /// <c>--paths-out</c>), <c>step</c> (int32), <c>time</c> (hours), <c>asset</c> (string), then <c>price</c>,
    /// <c>exogenousPrice</c>, <c>liquidatedNotional</c>, <c>depthFactor</c>, <c>queuedNotional</c>, <c>fund</c> and
    /// <c>uncoveredBeforeAdl</c> (doubles): one row per path, step and asset, as in the CSV.</summary>
    public static void WriteSamplePaths(string path, SamplePathSet paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        AtomicFile.Write(path, stream => WriteSamplePaths(stream, paths));
    }

    /// <summary>Writes sample paths as Parquet to <paramref name="stream"/> (seekable).</summary>
    public static void WriteSamplePaths(Stream stream, SamplePathSet paths)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(paths);
        var pathField = new DataField<long>("path");
        var stepField = new DataField<int>("step");
        var timeField = new DataField<double>("time");
        var assetField = new DataField<string>("asset", nullable: false);
        var valueFields = SamplePathColumns.Skip(4).Select(name => new DataField<double>(name)).ToArray();
        var schema = new ParquetSchema([pathField, stepField, timeField, assetField, .. valueFields]);
        int rows = LongRowGroupRows;
        var pathIndex = new long[rows];
        var steps = new int[rows];
        var times = new double[rows];
        var assets = new string[rows];
        var values = valueFields.Select(_ => new double[rows]).ToArray();
        int n = paths.Symbols.Count;
        var points = from p in Enumerable.Range(0, paths.Count)
                     from k in Enumerable.Range(0, paths.Steps + 1)
                     from i in Enumerable.Range(0, n)
                     select (Path: p, Step: k, Asset: i);
        Write(stream, schema, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PathsParquetWriter.MetadataPrefix + "engine"] = EngineInfo.Version,
            [PathsParquetWriter.MetadataPrefix + "assets"] = string.Join(",", paths.Symbols),
        }, points, rows, (x, r) =>
        {
            var (p, k, i) = x;
            pathIndex[r] = p;
            steps[r] = k;
            times[r] = Math.Round(k * paths.StepHours, 9);
            assets[r] = paths.Symbols[i];
            values[0][r] = paths.Price(p, k, i);
            values[1][r] = paths.ExogenousPrice(p, k, i);
            values[2][r] = paths.LiquidatedNotional(p, k, i);
            values[3][r] = paths.DepthFactor(p, k, i);
            values[4][r] = paths.QueuedNotional(p, k, i);
            values[5][r] = paths.Fund(p, k);
            values[6][r] = paths.UncoveredBeforeAdl(p, k);
        }, async (group, count) =>
        {
            await group.WriteAsync(pathField, new ReadOnlyMemory<long>(pathIndex, 0, count));
            await group.WriteAsync(stepField, new ReadOnlyMemory<int>(steps, 0, count));
            await group.WriteAsync(timeField, new ReadOnlyMemory<double>(times, 0, count));
            await group.WriteAsync(assetField, new ArraySegment<string>(assets, 0, count));
            for (int f = 0; f < valueFields.Length; f++) await group.WriteAsync(valueFields[f], new ReadOnlyMemory<double>(values[f], 0, count));
        });
    }

    /// <summary>Writes <paramref name="outputs"/> (from <see cref="Simulation.SimulationEngine.SimulatePaths"/>) to
    /// <paramref name="path"/> atomically, in the format of <c>run --paths-out</c>.</summary>
    public static void WritePaths(string path, Scenario scenario, PathOutputs outputs, string? backend = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        using var writer = new PathsParquetWriter(path, scenario, backend);
        writer.Add(outputs, 0, outputs.Count);
        writer.Commit();
    }

    /// <summary>Streams <paramref name="items"/> into row groups of up to <paramref name="rows"/>: <paramref name="fill"/>
    /// puts an item into the buffers at a row, <paramref name="flush"/> writes the first n rows as a row group.</summary>
    private static void Write<T>(Stream stream, ParquetSchema schema, Dictionary<string, string> metadata, IEnumerable<T> items, int rows,
        Action<T, int> fill, Func<ParquetRowGroupWriter, int, Task> flush)
    {
        var writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
        try
        {
            writer.CustomMetadata = metadata;
            int buffered = 0;
            void Flush()
            {
                using var group = writer.CreateRowGroup();
                flush(group, buffered).GetAwaiter().GetResult();
                buffered = 0;
            }
            foreach (var item in items)
            {
                fill(item, buffered++);
                if (buffered == rows) Flush();
            }
            if (buffered > 0) Flush();
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
