using System.Globalization;
using GpuCascade.Kernels;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using Parquet;
using Parquet.Schema;

namespace GpuCascade.Reporting;

/// <summary>
/// Writes per-path outputs (<see cref="PathOutputs"/>) to a Parquet file as they arrive, one row per path in path order
/// (<c>run --paths-out</c>; docs/research-data.md): a <c>path</c> column (the global path index), then every output of
/// the schema (<see cref="OutputSchema"/>), the per-asset ones as one column per asset, <c>METRIC_SYMBOL</c> (<c>maxDrawdown_BTC</c>).
/// Rows are buffered into row groups of <see cref="RowGroupRows"/> paths and written as each fills, so memory stays
/// bounded however many paths the run has. The file is written under a temporary name in the target's directory and
/// renamed over the target by <see cref="Commit"/>; disposing without committing removes it, so a failed run never
/// leaves a half-written file or destroys an older one. Parquet.Net is fully managed (no native library).
/// </summary>
/// <example>
/// <code>
/// using var paths = new PathsParquetWriter("paths.parquet", scenario);
/// var result = SimulationEngine.Run(scenario, new RunOptions { PathSink = paths.Add });
/// paths.Commit();
/// </code>
/// </example>
public sealed class PathsParquetWriter : IDisposable
{
    /// <summary>Prefix of the file's key-value metadata.</summary>
    public const string MetadataPrefix = "gpucascade.";

    /// <summary>Most bytes the row buffers take: row groups hold fewer paths when there are many assets.</summary>
    public const long BufferBytes = 32L << 20;

    /// <summary>Most paths per row group (fewer when that would exceed <see cref="BufferBytes"/>).</summary>
    public const int MaxRowGroupRows = 64 * PathOutputs.BlockSize;

    private readonly string _target, _temporary;
    private readonly IReadOnlyList<string> _symbols;
    private readonly IColumn[] _columns;
    private readonly ParquetSchema _schema;
    private FileStream? _stream;
    private ParquetWriter? _writer;
    private int _buffered;
    private long _next = -1;
    private bool _committed;

    /// <summary>Starts a file at <paramref name="path"/> for the paths of <paramref name="scenario"/> (its assets name the
    /// columns; its SHA-256, seed and path count go into the file's metadata with <paramref name="backend"/>).</summary>
    /// <exception cref="IOException">The temporary file cannot be created.</exception>
    public PathsParquetWriter(string path, Scenario scenario, string? backend = null) : this(path, scenario, backend, null)
    {
    }

    /// <summary>As the public constructor, with <paramref name="rowGroupRows"/> paths per row group (tests: several groups
    /// from a few thousand paths).</summary>
    internal PathsParquetWriter(string path, Scenario scenario, string? backend, int? rowGroupRows)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(scenario);
        _symbols = [.. scenario.Assets.Select(a => a.Symbol)];
        _columns = Columns(_symbols);
        _schema = new ParquetSchema(_columns.Select(c => c.Field));
        long perRow = _columns.Sum(c => (long)c.Bytes);
        RowGroupRows = rowGroupRows ?? (int)Math.Clamp(BufferBytes / perRow / PathOutputs.BlockSize * PathOutputs.BlockSize,
            PathOutputs.BlockSize, MaxRowGroupRows);
        foreach (var c in _columns) c.Allocate(RowGroupRows);
        _target = Path.GetFullPath(path);
        _temporary = Path.Combine(Path.GetDirectoryName(_target)!, $".{Path.GetFileName(_target)}.{Environment.ProcessId}.tmp");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MetadataPrefix + "engine"] = EngineInfo.Version,
            [MetadataPrefix + "scenarioSha256"] = ScenarioJson.Sha256(scenario),
            [MetadataPrefix + "seed"] = scenario.Seed.ToString(CultureInfo.InvariantCulture),
            [MetadataPrefix + "paths"] = scenario.Paths.ToString(CultureInfo.InvariantCulture),
            [MetadataPrefix + "assets"] = string.Join(",", _symbols),
            // The output schema's fingerprint: the columns' layout (a new mechanism adds columns).
            [MetadataPrefix + "schema"] = OutputSchema.Fingerprint,
            [MetadataPrefix + "units"] = "money in USD; drawdowns, displacements, shares and depth factors as fractions; finalPrice in USD per unit",
        };
        if (backend is not null) metadata[MetadataPrefix + "backend"] = backend;
        try
        {
            _stream = new FileStream(_temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
            _writer = ParquetWriter.CreateAsync(_schema, _stream).GetAwaiter().GetResult();
            _writer.CustomMetadata = metadata;
        }
        catch
        {
            Discard();
            throw;
        }
    }

    /// <summary>The column names for assets <paramref name="symbols"/>, in file order.</summary>
    public static IReadOnlyList<string> ColumnNames(IReadOnlyList<string> symbols) =>
        [.. Columns(symbols ?? throw new ArgumentNullException(nameof(symbols))).Select(c => c.Field.Name)];

    /// <summary>Paths per row group (a multiple of <see cref="PathOutputs.BlockSize"/>).</summary>
    public int RowGroupRows { get; }

    /// <summary>Paths written so far (including those still buffered).</summary>
    public long Rows { get; private set; }

    /// <summary>The first path written, or -1 before any.</summary>
    public long FirstPath { get; private set; } = -1;

    /// <summary>Adds rows [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="outputs"/> (paths
    /// <c>outputs.Start + from</c> onwards): the signature of <see cref="Simulation.RunOptions.PathSink"/>. Paths must follow one
    /// another without a gap.</summary>
    /// <exception cref="InvalidOperationException">The paths do not continue the previous ones, or the file is closed.</exception>
    /// <exception cref="IOException">Writing failed.</exception>
    public void Add(PathOutputs outputs, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (_writer is null) throw new InvalidOperationException("the Parquet file is already committed or disposed");
        if (outputs.AssetCount != _symbols.Count)
            throw new ArgumentException($"{outputs.AssetCount} assets per path, the file has {_symbols.Count}", nameof(outputs));
        if (from < 0 || to < from || to > outputs.Capacity) throw new ArgumentOutOfRangeException(nameof(to), $"rows [{from}, {to}) of {outputs.Capacity}");
        long first = outputs.Start + from;
        if (_next >= 0 && first != _next)
            throw new InvalidOperationException($"paths must arrive in order: expected path {_next:N0}, got {first:N0}");
        if (_next < 0) FirstPath = first;
        while (from < to)
        {
            int n = Math.Min(to - from, RowGroupRows - _buffered);
            foreach (var c in _columns) c.Fill(outputs, from, n, _buffered);
            _buffered += n;
            from += n;
            if (_buffered == RowGroupRows) Flush();
        }
        _next = outputs.Start + to;
        Rows = _next - FirstPath;
    }

    /// <summary>Writes the buffered rows and the footer, flushes the file to disk and renames it over the target.</summary>
    public void Commit()
    {
        if (_writer is null) throw new InvalidOperationException("the Parquet file is already committed or disposed");
        try
        {
            Flush();
            // What the file holds, known only now: fewer paths than requested after a stop, a shard's own range.
            var metadata = new Dictionary<string, string>(_writer.CustomMetadata, StringComparer.Ordinal)
            {
                [MetadataPrefix + "firstPath"] = FirstPath.ToString(CultureInfo.InvariantCulture),
                [MetadataPrefix + "writtenPaths"] = Rows.ToString(CultureInfo.InvariantCulture),
            };
            _writer.CustomMetadata = metadata;
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _writer = null;
            _stream!.Flush(flushToDisk: true);
            _stream.Dispose();
            _stream = null;
            File.Move(_temporary, _target, overwrite: true);
            _committed = true;
        }
        catch
        {
            Discard();
            throw;
        }
    }

    /// <summary>Closes the file; removes it unless <see cref="Commit"/> succeeded.</summary>
    public void Dispose()
    {
        if (!_committed) Discard();
    }

    private void Flush()
    {
        if (_buffered == 0) return;
        using (var group = _writer!.CreateRowGroup())
        {
            foreach (var c in _columns) c.WriteAsync(group, _buffered).GetAwaiter().GetResult();
        }
        _buffered = 0;
    }

    private void Discard()
    {
        try
        {
            _writer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // the footer of a file about to be removed
        }
        _writer = null;
        _stream?.Dispose();
        _stream = null;
        try
        {
            File.Delete(_temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the original error matters more
        }
    }

    /// <summary>The columns, in file order: path, then every row of the output schema (<see cref="OutputSchema.Rows"/>), a
    /// per-asset row as one column per asset (<c>maxDrawdown_BTC</c>), typed by the row's storage (double, int, long, bool).</summary>
    private static IColumn[] Columns(IReadOnlyList<string> symbols)
    {
        int n = symbols.Count;
        var columns = new List<IColumn> { new PathColumn() };
        foreach (var row in OutputSchema.Rows)
            for (int i = 0; i < row.Width(n); i++)
            {
                string name = row.Shape == OutputShape.PerPath ? row.ParquetName : $"{row.ParquetName}_{symbols[i]}";
                int asset = i;
                columns.Add(row.Storage switch
                {
                    OutputStorage.Integer => new Column<int>(name, row, asset, v => (int)v),
                    OutputStorage.Count => new Column<long>(name, row, asset, v => (long)v),
                    OutputStorage.Flag => new Column<bool>(name, row, asset, v => v != 0),
                    _ => new Column<double>(name, row, asset, v => v),
                });
            }
        return [.. columns];
    }

    /// <summary>A column's buffer: filled from the outputs, written as a row group's column.</summary>
    private interface IColumn
    {
        DataField Field { get; }
        int Bytes { get; }
        void Allocate(int rows);
        void Fill(PathOutputs outputs, int from, int count, int at);
        Task WriteAsync(ParquetRowGroupWriter group, int rows);
    }

    /// <summary>One output's column (<paramref name="row"/>, asset <paramref name="asset"/>), converted from the slot matrix's double.</summary>
    private sealed class Column<T>(string name, OutputRow row, int asset, Func<double, T> convert) : IColumn where T : struct
    {
        private T[] _buffer = [];
        public DataField Field { get; } = new DataField<T>(name);
        public int Bytes => System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        public void Allocate(int rows) => _buffer = new T[rows];

        public void Fill(PathOutputs outputs, int from, int count, int at)
        {
            var source = outputs.Span(row, asset).Slice(from, count);
            if (typeof(T) == typeof(double))
            {
                source.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(_buffer.AsSpan(at, count)));
                return;
            }
            for (int p = 0; p < count; p++) _buffer[at + p] = convert(source[p]);
        }

        public Task WriteAsync(ParquetRowGroupWriter group, int rows) =>
            group.WriteAsync(Field, new ReadOnlyMemory<T>(_buffer, 0, rows));
    }

    /// <summary>The global path index.</summary>
    private sealed class PathColumn : IColumn
    {
        private long[] _buffer = [];
        public DataField Field { get; } = new DataField<long>("path");
        public int Bytes => sizeof(long);
        public void Allocate(int rows) => _buffer = new long[rows];

        public void Fill(PathOutputs outputs, int from, int count, int at)
        {
            for (int p = 0; p < count; p++) _buffer[at + p] = outputs.Start + from + p;
        }

        public Task WriteAsync(ParquetRowGroupWriter group, int rows) =>
            group.WriteAsync(Field, new ReadOnlyMemory<long>(_buffer, 0, rows));
    }
}
