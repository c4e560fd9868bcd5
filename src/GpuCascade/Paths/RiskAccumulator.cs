using GpuCascade.Kernels;
using GpuCascade.Statistics;

namespace GpuCascade.Paths;

/// <summary>
/// Everything the run aggregates, for a block of paths or for the whole run: moments, probabilities, exact tails,
/// histograms. Blocks are summarised independently and merged in path order, so the totals are bit-identical
/// whatever the thread count, batch size or shard layout.
/// </summary>
internal sealed class RiskAccumulator
{
    /// <summary>Empty accumulator for a run of <paramref name="plannedPaths"/> paths over <paramref name="assetCount"/> assets.</summary>
    public RiskAccumulator(int assetCount, long plannedPaths)
    {
        AssetCount = assetCount;
        TailCapacity = TailQuantiles.CapacityFor(plannedPaths, TailLevel.Standard);
        (_first, int columns) = OutputSchema.Layout(assetCount);
        _means = new Moments[columns];
        _events = new Proportion[columns];
        _totals = new long[columns];
        _tails = new TailQuantiles?[columns];
        _histograms = new Histogram?[columns];
        ForEachColumn((row, c) =>
        {
            if (row.Has(OutputAggregations.Tail)) _tails[c] = new TailQuantiles(TailCapacity);
            if (row.Has(OutputAggregations.Histogram)) _histograms[c] = new Histogram([.. row.HistogramEdges]);
        });
    }

    private readonly int[] _first;
    private readonly Moments[] _means;
    private readonly Proportion[] _events;
    private readonly long[] _totals;
    private readonly TailQuantiles?[] _tails;

    /// <summary>The first path that ran away and where, for the run's warning (not kept in accumulator files: a run resumed
    /// from a checkpoint names the first it saw itself).</summary>
    public (long Path, string Text)? FirstRunaway { get; private set; }

    private void NoteRunaway(long path, string text)
    {
        if (FirstRunaway is not { } known || path < known.Path) FirstRunaway = (path, text);
    }

    private readonly Histogram?[] _histograms;

    /// <summary>Assets per path.</summary>
    public int AssetCount { get; }
    /// <summary>Values kept in each exact tail.</summary>
    public int TailCapacity { get; }
    /// <summary>Paths summarised.</summary>
    public long Paths => _means[Column(OutputSchema.BadDebt)].Count;

    private int Column(OutputRow row, int asset = 0) => _first[OutputSchema.IndexOf(row)] + asset;

    /// <summary>Calls <paramref name="action"/> for every row and column, in schema order.</summary>
    private void ForEachColumn(Action<OutputRow, int> action)
    {
        var rows = OutputSchema.Rows;
        for (int k = 0; k < rows.Count; k++)
        {
            int width = rows[k].Width(AssetCount);
            for (int i = 0; i < width; i++) action(rows[k], _first[k] + i);
        }
    }

    /// <summary>The moments of <paramref name="row"/> (of asset <paramref name="asset"/>), a row with <see cref="OutputAggregations.Mean"/>.</summary>
    public Moments Mean(OutputRow row, int asset = 0) => _means[Column(row, asset)];
    /// <summary>How often <paramref name="row"/> was positive (a row with <see cref="OutputAggregations.Positive"/>).</summary>
    public Proportion Positive(OutputRow row) => _events[Column(row)];
    /// <summary>The exact tail of <paramref name="row"/> (a row with <see cref="OutputAggregations.Tail"/>).</summary>
    public TailQuantiles Tail(OutputRow row) => _tails[Column(row)] ?? throw new ArgumentException($"{row.Key} keeps no tail", nameof(row));
    /// <summary>The histogram of <paramref name="row"/> (of asset <paramref name="asset"/>; a row with <see cref="OutputAggregations.Histogram"/>).</summary>
    public Histogram Histogram(OutputRow row, int asset = 0) =>
        _histograms[Column(row, asset)] ?? throw new ArgumentException($"{row.Key} keeps no histogram", nameof(row));
    /// <summary>The exact total of <paramref name="row"/> (a row with <see cref="OutputAggregations.Total"/>).</summary>
    public long Total(OutputRow row) => _totals[Column(row)];

    /// <summary>The outputs over time (<c>run --series</c>, docs/model.md section 8.5); null when not recorded. Folded by the engine from
    /// the paths' records, not by <see cref="AddRows"/>.</summary>
    public SeriesAccumulator? Series { get; set; }
    /// <summary>The records of the first paths (<c>run --sample-paths</c>); null when not kept.</summary>
    public SamplePaths? Samples { get; set; }

    /// <summary>Per-cohort totals (attribution); null until a block brings them, and for good once one did not.</summary>
    public CohortTotals? Cohorts { get; set; }
    private bool _cohortsMissing;

    /// <summary>Whether every block summarised brought its per-cohort totals.</summary>
    public bool HasCohorts => Cohorts is not null && !_cohortsMissing;

    /// <summary>Summarises rows [<paramref name="from"/>, <paramref name="to"/>) of a batch, in row order.</summary>
    public void AddRows(PathOutputs o, int from, int to)
    {
        // The first path of these rows that ran away (from its output, so the same whatever threads copied the blocks).
        var runaway = o.Span(OutputSchema.Runaway).Slice(from, to - from);
        for (int p = 0; p < runaway.Length; p++)
            if (runaway[p] != 0)
            {
                long path = o.Start + from + p;
                NoteRunaway(path, o.RunawayText.TryGetValue(path, out var text) ? text : $"path {path}");
                break;
            }
        if (!o.RunawayText.IsEmpty)
            foreach (long key in o.RunawayText.Keys)
                if (key >= o.Start + from && key < o.Start + to) o.RunawayText.TryRemove(key, out _);
        var rows = OutputSchema.Rows;
        for (int k = 0; k < rows.Count; k++)
        {
            var row = rows[k];
            int width = row.Width(AssetCount);
            for (int i = 0; i < width; i++)
            {
                int c = _first[k] + i;
                ReadOnlySpan<double> values = o.Span(row, i).Slice(from, to - from);
                if (row.Has(OutputAggregations.Mean))
                {
                    ref var m = ref _means[c];
                    foreach (double v in values) m.Add(v);
                }
                if (row.Has(OutputAggregations.Positive))
                {
                    ref var e = ref _events[c];
                    foreach (double v in values) e.Add(v > 0);
                }
                if (_histograms[c] is { } h)
                    foreach (double v in values) h.Add(v);
                if (row.Has(OutputAggregations.Total))
                    foreach (double v in values) _totals[c] += (long)v;
                _tails[c]?.SetFrom(values, o.Start + from);
            }
        }
    }

    /// <summary>Writes every figure exactly (doubles bit for bit), for a checkpoint or a shard's partial file.</summary>
    internal void WriteTo(BinaryWriter w, bool tails = true)
    {
        w.Write(AssetCount);
        w.Write(TailCapacity);
        w.Write(tails);
        // Row by row in the output schema's order (format version 6, AccumulatorFile): each column's moments, proportion, total,
        // histogram and, with tails, its exact tail.
        ForEachColumn((row, c) =>
        {
            if (row.Has(OutputAggregations.Mean)) Write(w, _means[c]);
            if (row.Has(OutputAggregations.Positive))
            {
                w.Write(_events[c].Successes);
                w.Write(_events[c].Trials);
            }
            if (row.Has(OutputAggregations.Total)) w.Write(_totals[c]);
            if (_histograms[c] is { } h)
            {
                w.Write(h.Counts.Length);
                foreach (long count in h.Counts) w.Write(count);
            }
            if (tails) _tails[c]?.WriteTo(w);
        });
        w.Write(_cohortsMissing);
        w.Write(Cohorts is not null);
        if (Cohorts is { } totals)
        {
            w.Write(totals.Count);
            for (int c = 0; c < totals.Count; c++)
            {
                w.Write(totals.LiquidatedPaths[c]);
                w.Write(totals.LiquidatedNotional[c]);
                w.Write(totals.BadDebt[c]);
            }
        }
        // The series' bins and the sample paths are exact (order-free), like the tails: a shard's segments skip them.
        w.Write(Series is not null);
        Series?.WriteTo(w, bins: tails);
        w.Write(Samples is not null && tails);
        if (tails) Samples?.WriteTo(w);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote, for a run of <paramref name="assetCount"/> assets and
    /// <paramref name="plannedPaths"/> paths (the tails' capacity must match).</summary>
    internal static RiskAccumulator ReadFrom(BinaryReader r, int assetCount, long plannedPaths)
    {
        var a = new RiskAccumulator(assetCount, plannedPaths);
        int assets = r.ReadInt32(), capacity = r.ReadInt32();
        if (assets != assetCount) throw new InvalidDataException($"{assets} assets, expected {assetCount}");
        if (capacity != a.TailCapacity) throw new InvalidDataException($"tail capacity {capacity}, expected {a.TailCapacity}");
        bool tails = r.ReadBoolean();
        a.ForEachColumn((row, c) =>
        {
            if (row.Has(OutputAggregations.Mean)) a._means[c] = Read(r);
            if (row.Has(OutputAggregations.Positive)) a._events[c] = new Proportion { Successes = r.ReadInt64(), Trials = r.ReadInt64() };
            if (row.Has(OutputAggregations.Total)) a._totals[c] = r.ReadInt64();
            if (a._histograms[c] is { } h)
            {
                int bins = r.ReadInt32();
                if (bins != h.Counts.Length) throw new InvalidDataException($"{row.Key}: histogram of {bins} bins, expected {h.Counts.Length}");
                for (int k = 0; k < bins; k++) h.Counts[k] = r.ReadInt64();
            }
            if (tails && a._tails[c] is { } tail) tail.Merge(TailQuantiles.ReadFrom(r, a.TailCapacity));
        });
        a._cohortsMissing = r.ReadBoolean();
        if (r.ReadBoolean())
        {
            var totals = new CohortTotals(r.ReadInt32());
            for (int c = 0; c < totals.Count; c++)
            {
                totals.LiquidatedPaths[c] = r.ReadInt64();
                totals.LiquidatedNotional[c] = r.ReadDouble();
                totals.BadDebt[c] = r.ReadDouble();
            }
            a.Cohorts = totals;
        }
        if (r.ReadBoolean()) a.Series = SeriesAccumulator.ReadFrom(r, assetCount);
        if (r.ReadBoolean()) a.Samples = SamplePaths.ReadFrom(r);
        return a;
    }

    private static void Write(BinaryWriter w, in Moments m)
    {
        w.Write(m.Count);
        w.Write(m.Mean);
        w.Write(m.SumSquaredDeviations);
    }

    private static Moments Read(BinaryReader r) => new() { Count = r.ReadInt64(), Mean = r.ReadDouble(), SumSquaredDeviations = r.ReadDouble() };

    /// <summary>Adds the paths of <paramref name="next"/>, which follow this accumulator's paths.</summary>
    public void Merge(RiskAccumulator next)
    {
        MergeMoments(next);
        MergeCounts(next);
    }

    /// <summary>The floating-point part of <see cref="Merge"/> (moments, per-cohort sums): its result depends on the order of
    /// the merges, so runs, checkpoints and shards all merge it segment by segment in path order.</summary>
    internal void MergeMoments(RiskAccumulator next)
    {
        for (int c = 0; c < _means.Length; c++) _means[c].Merge(next._means[c]);
        if (next.Series is { } series) (Series ??= series.EmptyLike()).MergeMoments(series);
        if (next.Paths == 0 && !next._cohortsMissing) return; // an empty accumulator brings no per-cohort totals to miss
        if (next.Cohorts is null || next._cohortsMissing) _cohortsMissing = true;
        else
        {
            Cohorts ??= new CohortTotals(next.Cohorts.Count);
            Cohorts.Merge(next.Cohorts);
        }
    }

    /// <summary>The exact part of <see cref="Merge"/> (counts, histograms, exact tails): the same in any order, so a shard's
    /// total can be merged whole.</summary>
    internal void MergeCounts(RiskAccumulator next)
    {
        if (next.FirstRunaway is { } runaway) NoteRunaway(runaway.Path, runaway.Text);
        for (int c = 0; c < _events.Length; c++)
        {
            _events[c].Merge(next._events[c]);
            _totals[c] += next._totals[c];
            if (_histograms[c] is { } h) h.Merge(next._histograms[c]!);
            _tails[c]?.Merge(next._tails[c]!);
        }
        if (next.Series is { } series) (Series ??= series.EmptyLike()).MergeCounts(series);
        if (next.Samples is { } samples) (Samples ??= new SamplePaths(samples.Count, samples.Rows, samples.Fields)).Merge(samples);
    }
}
