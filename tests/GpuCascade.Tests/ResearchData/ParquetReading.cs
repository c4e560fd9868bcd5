using Parquet;
using Parquet.Schema;

namespace GpuCascade.Tests.ResearchData;

/// <summary>A Parquet file read back whole with Parquet.Net: every column as one array (row groups joined), the key-value
/// metadata and the row groups' sizes.</summary>
internal sealed record ParquetTable(IReadOnlyList<string> Names, IReadOnlyDictionary<string, Array> Columns,
    IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<long> RowGroups, IReadOnlyDictionary<string, Type> Types)
{
    public long Rows => RowGroups.Sum();

    public T[] Column<T>(string name) =>
        Columns.TryGetValue(name, out var a) ? (T[])a : throw new AssertionException($"no column {name} (the file has {string.Join(", ", Names)})");

    public static ParquetTable Read(string path) => ReadAsync(path).GetAwaiter().GetResult();

    private static async Task<ParquetTable> ReadAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        var parts = fields.ToDictionary(f => f.Name, _ => new List<Array>());
        var groups = new List<long>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            groups.Add(rows);
            foreach (var f in fields) parts[f.Name].Add(await ReadColumn(group, f, rows));
        }
        var columns = fields.ToDictionary(f => f.Name, f => Join(f, parts[f.Name]));
        return new ParquetTable([.. fields.Select(f => f.Name)], columns,
            reader.CustomMetadata.ToDictionary(kv => kv.Key, kv => kv.Value), groups, fields.ToDictionary(f => f.Name, f => columns[f.Name].GetType().GetElementType()!));
    }

    private static async Task<Array> ReadColumn(ParquetRowGroupReader group, DataField f, int rows)
    {
        if (f.ClrType == typeof(double)) return await Values<double>(group, f, rows);
        if (f.ClrType == typeof(long)) return await Values<long>(group, f, rows);
        if (f.ClrType == typeof(int)) return await Values<int>(group, f, rows);
        if (f.ClrType == typeof(bool)) return await Values<bool>(group, f, rows);
        if (f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>)) // Parquet.Net 6 reports UTF-8 columns so
        {
            var values = new string?[rows];
            await group.ReadAsync(f, values.AsMemory());
            return values;
        }
        throw new AssertionException($"column {f.Name}: unexpected type {f.ClrType}");
    }

    private static async Task<T[]> Values<T>(ParquetRowGroupReader group, DataField f, int rows) where T : struct
    {
        var values = new T[rows];
        await group.ReadAsync(f, values.AsMemory());
        return values;
    }

    private static Array Join(DataField f, List<Array> parts)
    {
        var all = Array.CreateInstance(parts.Count > 0 ? parts[0].GetType().GetElementType()! : f.ClrType, parts.Sum(p => p.Length));
        int at = 0;
        foreach (var p in parts)
        {
            Array.Copy(p, 0, all, at, p.Length);
            at += p.Length;
        }
        return all;
    }
}
