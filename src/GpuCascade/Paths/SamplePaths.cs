namespace GpuCascade.Paths;

/// <summary>
/// The full records (<see cref="Kernels.PathSeries"/>) of paths 0 .. <see cref="Count"/> - 1, for plots
/// (<c>run --sample-paths</c>). Kept with the run's accumulators so that checkpoints and shards carry them: a store holds
/// a prefix of those paths, and merging keeps the longer prefix.
/// </summary>
internal sealed class SamplePaths
{
    /// <summary>The most sample paths a run keeps.</summary>
    public const int MaxCount = 1000;

    /// <summary>An empty store for paths 0 .. <paramref name="count"/> - 1 with records of <paramref name="rows"/> rows of
    /// <paramref name="fields"/> fields.</summary>
    public SamplePaths(int count, int rows, int fields)
    {
        if (count < 1 || count > MaxCount) throw new ArgumentOutOfRangeException(nameof(count), count, $"must be in 1 .. {MaxCount}");
        Count = count;
        Rows = rows;
        Fields = fields;
        Values = new double[checked((long)count * rows * fields)];
    }

    /// <summary>Paths wanted.</summary>
    public int Count { get; }
    /// <summary>Rows per path.</summary>
    public int Rows { get; }
    /// <summary>Fields per row.</summary>
    public int Fields { get; }
    /// <summary>Paths 0 .. Filled - 1 are held.</summary>
    public int Filled { get; private set; }
    /// <summary>The records, path-major as in <see cref="PathOutputs.Series"/>.</summary>
    public double[] Values { get; }

    /// <summary>Row <paramref name="row"/> of path <paramref name="path"/>.</summary>
    public ReadOnlySpan<double> Row(int path, int row) => Values.AsSpan((int)(((long)path * Rows + row) * Fields), Fields);

    /// <summary>Keeps the records of the sample paths among rows [<paramref name="from"/>, <paramref name="to"/>) of a batch.</summary>
    public void AddRows(PathOutputs o, int from, int to)
    {
        if (o.SeriesRows != Rows || o.SeriesFields != Fields)
            throw new ArgumentException($"records of {o.SeriesRows} x {o.SeriesFields}, expected {Rows} x {Fields}", nameof(o));
        int width = Rows * Fields;
        for (int p = from; p < to; p++)
        {
            long path = o.Start + p;
            if (path >= Count) break;
            if (path != Filled) continue; // held already (or not the next: paths fold in order from the store's prefix)
            Array.Copy(o.Series, (long)p * width, Values, path * width, width);
            Filled++;
        }
    }

    /// <summary>Adds what <paramref name="next"/> holds beyond this store's prefix.</summary>
    internal void Merge(SamplePaths next)
    {
        if (next.Count != Count || next.Rows != Rows || next.Fields != Fields) throw new ArgumentException("sample paths of another shape", nameof(next));
        if (next.Filled <= Filled) return;
        int width = Rows * Fields;
        Array.Copy(next.Values, (long)Filled * width, Values, (long)Filled * width, (long)(next.Filled - Filled) * width);
        Filled = next.Filled;
    }

    internal void WriteTo(BinaryWriter w)
    {
        w.Write(Count);
        w.Write(Rows);
        w.Write(Fields);
        w.Write(Filled);
        for (long k = 0; k < (long)Filled * Rows * Fields; k++) w.Write(Values[k]);
    }

    internal static SamplePaths ReadFrom(BinaryReader r)
    {
        int count = r.ReadInt32(), rows = r.ReadInt32(), fields = r.ReadInt32(), filled = r.ReadInt32();
        if (count < 1 || count > MaxCount || rows < 1 || fields < 1 || filled < 0 || filled > count || (long)count * rows * fields > 1L << 31)
            throw new InvalidDataException($"sample paths {count} x {rows} x {fields}, {filled} held");
        var s = new SamplePaths(count, rows, fields) { Filled = filled };
        for (long k = 0; k < (long)filled * rows * fields; k++) s.Values[k] = r.ReadDouble();
        return s;
    }
}
