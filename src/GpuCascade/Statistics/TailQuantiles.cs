namespace GpuCascade.Statistics;

/// <summary>A tail level a as an exact fraction (0.95 = 95/100), so that ceil(n a) is computed in integers.</summary>
public readonly record struct TailLevel(int Numerator, int Denominator)
{
    /// <summary>The levels the engine reports: 95%, 99%, 99.9%.</summary>
    public static readonly TailLevel[] Standard = [new(95, 100), new(99, 100), new(999, 1000)];

    /// <summary>The level as a number.</summary>
    public double Value => (double)Numerator / Denominator;

    /// <summary>The key used in reports: "0.95", "0.99", "0.999".</summary>
    public string Key => Value.ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>ceil(n a).</summary>
    public long CeilTimes(long n) => (long)(((System.Numerics.BigInteger)n * Numerator + Denominator - 1) / Denominator);

    /// <summary>ceil(n (1 - a)) = n - floor(n a).</summary>
    public long CeilTimesComplement(long n) => n - (long)((System.Numerics.BigInteger)n * Numerator / Denominator);
}

/// <summary>
/// Exact upper tail: keeps the largest <see cref="Capacity"/> values with their path indices, sorted by value descending
/// and, among equal values, by path index ascending (a total order, so the kept set is unique). The largest K of a union
/// are the largest K of the parts' largest K, so merging is exact and order-independent.
/// VaR_a is the ceil(n a)-th smallest of n values; ES_a the mean of the largest ceil(n (1 - a)).
/// </summary>
internal sealed class TailQuantiles
{
    private Entry[] _entries = [];
    private double[]? _values; // the entries' values, built when first asked for after a change
    private readonly List<Entry> _pending = [];

    /// <summary>A tail that keeps at most <paramref name="capacity"/> values.</summary>
    public TailQuantiles(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>Values kept at most.</summary>
    public int Capacity { get; }

    /// <summary>The kept values, largest first.</summary>
    public ReadOnlySpan<double> Values
    {
        get
        {
            Compact();
            return _values ??= _entries.Select(e => e.Value).ToArray();
        }
    }

    /// <summary>The path index of each kept value (same order as <see cref="Values"/>).</summary>
    public IEnumerable<long> Paths
    {
        get
        {
            Compact();
            return _entries.Select(e => e.Path);
        }
    }

    /// <summary>
    /// The capacity needed for exact VaR and ES at <paramref name="levels"/> over <paramref name="n"/> values, and for the
    /// lower bound of VaR's interval (<see cref="TailIntervals"/>: n - l + 1 values). Sized from the run's total path
    /// count, so that blocks, shards and checkpoints all keep the same and merge exactly.
    /// </summary>
    public static int CapacityFor(long n, IEnumerable<TailLevel> levels)
    {
        long k = 0;
        foreach (var level in levels)
            k = Math.Max(k, Math.Max(Math.Max(n - level.CeilTimes(n) + 1, level.CeilTimesComplement(n)),
                TailIntervals.TailValuesForInterval(n, level)));
        return (int)Math.Min(k, n);
    }

    /// <summary>Replaces the content by the largest values of <paramref name="values"/> (a block's raw values), the
    /// first being path <paramref name="firstPath"/>.</summary>
    public void SetFrom(ReadOnlySpan<double> values, long firstPath = 0)
    {
        _pending.Clear();
        var all = new Entry[values.Length];
        for (int i = 0; i < values.Length; i++) all[i] = new Entry(values[i], firstPath + i);
        Keep(all);
    }

    /// <summary>
    /// Keeps the largest values of this tail and <paramref name="other"/>. Values are buffered and reduced to the top
    /// <see cref="Capacity"/> only when the buffer exceeds it, so merging n values costs O(n log K), not O(n K).
    /// </summary>
    public void Merge(TailQuantiles other)
    {
        other.Compact();
        // Once full, entries ranked at or below the current K-th can never enter the tail.
        bool full = _entries.Length >= Capacity && Capacity > 0;
        var floor = full ? _entries[Capacity - 1] : default;
        foreach (var e in other._entries)
            if (!full || e.CompareTo(floor) < 0) _pending.Add(e);
        if (_pending.Count > Math.Max(Capacity, 1024)) Compact();
    }

    private void Compact()
    {
        if (_pending.Count == 0) return;
        var all = new Entry[_entries.Length + _pending.Count];
        _entries.CopyTo(all, 0);
        _pending.CopyTo(all, _entries.Length);
        _pending.Clear();
        Keep(all);
    }

    private void Keep(Entry[] all)
    {
        Array.Sort(all);
        _entries = all.Length > Capacity ? all[..Capacity] : all;
        _values = null;
    }

    /// <summary>Writes the kept values and their paths (a checkpoint; the pending buffer is folded in first, which changes
    /// nothing: the kept set is the top <see cref="Capacity"/> of a total order).</summary>
    internal void WriteTo(BinaryWriter w)
    {
        Compact();
        w.Write(Capacity);
        w.Write(_entries.Length);
        foreach (var e in _entries)
        {
            w.Write(e.Value);
            w.Write(e.Path);
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; the capacity must be the one expected.</summary>
    internal static TailQuantiles ReadFrom(BinaryReader r, int capacity)
    {
        int stored = r.ReadInt32();
        if (stored != capacity) throw new InvalidDataException($"tail capacity {stored}, expected {capacity}");
        int count = r.ReadInt32();
        if (count < 0 || count > capacity) throw new InvalidDataException($"tail of {count} values, capacity {capacity}");
        var tail = new TailQuantiles(capacity) { _entries = new Entry[count] };
        for (int i = 0; i < count; i++) tail._entries[i] = new Entry(r.ReadDouble(), r.ReadInt64());
        return tail;
    }

    /// <summary>A value and its path; ordered by value descending, then path ascending.</summary>
    private readonly record struct Entry(double Value, long Path) : IComparable<Entry>
    {
        public int CompareTo(Entry other)
        {
            int byValue = other.Value.CompareTo(Value);
            return byValue != 0 ? byValue : Path.CompareTo(other.Path);
        }
    }

    /// <summary>VaR at <paramref name="level"/> over <paramref name="n"/> values: the ceil(n a)-th smallest; NaN if not kept.</summary>
    public double ValueAtRisk(TailLevel level, long n)
    {
        if (n <= 0) return double.NaN;
        long rankFromTop = n - level.CeilTimes(n) + 1;
        var values = Values;
        return rankFromTop >= 1 && rankFromTop <= values.Length ? values[(int)rankFromTop - 1] : double.NaN;
    }

    /// <summary>Expected shortfall: the mean of the largest ceil(n (1 - a)) values; NaN if not kept.</summary>
    public double ExpectedShortfall(TailLevel level, long n)
    {
        if (n <= 0) return double.NaN;
        long m = level.CeilTimesComplement(n);
        var values = Values;
        if (m < 1 || m > values.Length) return double.NaN;
        double sum = 0;
        for (int i = 0; i < m; i++) sum += values[i];
        return sum / m;
    }
}
