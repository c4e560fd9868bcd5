using GpuCascade.Simulation;

namespace GpuCascade.Statistics;

/// <summary>
/// Everything the run aggregates, for a block of paths or for the whole run: moments, probabilities, exact tails,
/// histograms. Blocks are summarised independently and merged in path order, so the totals are bit-identical
/// whatever the thread count, batch size or shard layout.
/// </summary>
public sealed class RiskAccumulator
{
    /// <summary>Empty accumulator for a run of <paramref name="plannedPaths"/> paths over <paramref name="assetCount"/> assets.</summary>
    public RiskAccumulator(int assetCount, long plannedPaths)
    {
        AssetCount = assetCount;
        TailCapacity = TailQuantiles.CapacityFor(plannedPaths, TailLevel.Standard);
        BadDebtTail = new TailQuantiles(TailCapacity);
        LiquidatedNotionalTail = new TailQuantiles(TailCapacity);
        MaxDrawdown = new Moments[assetCount];
        ExogenousMaxDrawdown = new Moments[assetCount];
        LiquidatedNotionalByAsset = new Moments[assetCount];
        MaxDisplacement = new Moments[assetCount];
        MinDepthFactor = new Moments[assetCount];
        BadDebtHistogram = new Histogram(BadDebtEdges);
        DrawdownHistograms = Enumerable.Range(0, assetCount).Select(_ => new Histogram(DrawdownEdges)).ToArray();
        DepthFactorHistograms = Enumerable.Range(0, assetCount).Select(_ => new Histogram(DrawdownEdges)).ToArray();
    }

    /// <summary>Bad debt bins: 0 alone, then 4 per decade from $1 to $1e13.</summary>
    private static readonly double[] BadDebtEdges = [double.Epsilon, .. Histogram.LogEdges(0, 13, 4)];
    /// <summary>Drawdown bins: 2% wide from 0 to 1.</summary>
    private static readonly double[] DrawdownEdges = Histogram.LinearEdges(0, 1, 50);

    /// <summary>Assets per path.</summary>
    public int AssetCount { get; }
    /// <summary>Values kept in each exact tail.</summary>
    public int TailCapacity { get; }
    /// <summary>Paths summarised.</summary>
    public long Paths => BadDebt.Count;

#pragma warning disable CS1591 // the fields are named for what they hold; see docs/model.md section 6
    public Moments BadDebt, UncoveredLoss, BadDebtPaid, Penalties, LiquidatedNotional, FundEnd, FundMin, MaxRounds, AdlNotional, AdlAbsorbed,
        QueueMaxNotional, QueueSteps;
    public readonly Moments[] MaxDrawdown, ExogenousMaxDrawdown, LiquidatedNotionalByAsset, MaxDisplacement, MinDepthFactor;
    public Proportion AnyLiquidation, Cascade, BadDebtPositive, FundDepleted, RoundCapHit, Adl;
    public readonly TailQuantiles BadDebtTail, LiquidatedNotionalTail;
    public readonly Histogram BadDebtHistogram;
    public readonly Histogram[] DrawdownHistograms;
    /// <summary>Per asset, the path's lowest depth factor on 2% bins of [0, 1].</summary>
    public readonly Histogram[] DepthFactorHistograms;
#pragma warning restore CS1591
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

    /// <summary>Work: margin checks summed over the paths (<see cref="PathOutputs.MarginChecks"/>).</summary>
    public long MarginChecks;
    /// <summary>Work: cohort liquidations summed over the paths (<see cref="PathOutputs.CohortLiquidations"/>).</summary>
    public long CohortLiquidations;

    /// <summary>Summarises rows [<paramref name="from"/>, <paramref name="to"/>) of a batch, in row order.</summary>
    public void AddRows(PathOutputs o, int from, int to)
    {
        int n = AssetCount;
        for (int p = from; p < to; p++)
        {
            BadDebt.Add(o.BadDebt[p]);
            UncoveredLoss.Add(o.UncoveredLoss[p]);
            BadDebtPaid.Add(o.BadDebtPaid[p]);
            Penalties.Add(o.Penalties[p]);
            LiquidatedNotional.Add(o.LiquidatedNotional[p]);
            FundEnd.Add(o.FundEnd[p]);
            FundMin.Add(o.FundMin[p]);
            MaxRounds.Add(o.MaxRoundsInStep[p]);
            AnyLiquidation.Add(o.AnyLiquidation(p));
            Cascade.Add(o.Cascade[p]);
            BadDebtPositive.Add(o.BadDebt[p] > 0);
            FundDepleted.Add(o.UncoveredBeforeAdl[p] > 0); // depleted: the fund failed to pay, whatever ADL then took
            AdlNotional.Add(o.AdlNotional[p]);
            AdlAbsorbed.Add(o.AdlAbsorbed[p]);
            Adl.Add(o.AdlAbsorbed[p] > 0);
            QueueMaxNotional.Add(o.QueueMaxNotional[p]);
            QueueSteps.Add(o.QueueSteps[p]);
            RoundCapHit.Add(o.RoundCapHit[p]);
            BadDebtHistogram.Add(o.BadDebt[p]);
            MarginChecks += o.MarginChecks[p];
            CohortLiquidations += o.CohortLiquidations[p];
            for (int i = 0; i < n; i++)
            {
                int k = p * n + i;
                MaxDrawdown[i].Add(o.MaxDrawdown[k]);
                ExogenousMaxDrawdown[i].Add(o.ExogenousMaxDrawdown[k]);
                LiquidatedNotionalByAsset[i].Add(o.LiquidatedNotionalByAsset[k]);
                MaxDisplacement[i].Add(o.MaxDisplacement[k]);
                DrawdownHistograms[i].Add(o.MaxDrawdown[k]);
                MinDepthFactor[i].Add(o.MinDepthFactor[k]);
                DepthFactorHistograms[i].Add(o.MinDepthFactor[k]);
            }
        }
        BadDebtTail.SetFrom(o.BadDebt.AsSpan(from, to - from), o.Start + from);
        LiquidatedNotionalTail.SetFrom(o.LiquidatedNotional.AsSpan(from, to - from), o.Start + from);
    }

    /// <summary>Writes every figure exactly (doubles bit for bit), for a checkpoint or a shard's partial file.</summary>
    internal void WriteTo(BinaryWriter w, bool tails = true)
    {
        w.Write(AssetCount);
        w.Write(TailCapacity);
        w.Write(tails);
        foreach (var m in new[] { BadDebt, UncoveredLoss, BadDebtPaid, Penalties, LiquidatedNotional, FundEnd, FundMin, MaxRounds, AdlNotional, AdlAbsorbed,
                     QueueMaxNotional, QueueSteps })
            Write(w, m);
        foreach (var array in new[] { MaxDrawdown, ExogenousMaxDrawdown, LiquidatedNotionalByAsset, MaxDisplacement, MinDepthFactor })
            foreach (var m in array) Write(w, m);
        foreach (var p in new[] { AnyLiquidation, Cascade, BadDebtPositive, FundDepleted, RoundCapHit, Adl })
        {
            w.Write(p.Successes);
            w.Write(p.Trials);
        }
        if (tails)
        {
            BadDebtTail.WriteTo(w);
            LiquidatedNotionalTail.WriteTo(w);
        }
        foreach (var h in new[] { BadDebtHistogram }.Concat(DrawdownHistograms).Concat(DepthFactorHistograms))
        {
            w.Write(h.Counts.Length);
            foreach (long c in h.Counts) w.Write(c);
        }
        w.Write(MarginChecks);
        w.Write(CohortLiquidations);
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
        a.BadDebt = Read(r); a.UncoveredLoss = Read(r); a.BadDebtPaid = Read(r); a.Penalties = Read(r);
        a.LiquidatedNotional = Read(r); a.FundEnd = Read(r); a.FundMin = Read(r); a.MaxRounds = Read(r);
        a.AdlNotional = Read(r); a.AdlAbsorbed = Read(r); a.QueueMaxNotional = Read(r); a.QueueSteps = Read(r);
        foreach (var array in new[] { a.MaxDrawdown, a.ExogenousMaxDrawdown, a.LiquidatedNotionalByAsset, a.MaxDisplacement, a.MinDepthFactor })
            for (int i = 0; i < array.Length; i++) array[i] = Read(r);
        Proportion P() => new() { Successes = r.ReadInt64(), Trials = r.ReadInt64() };
        a.AnyLiquidation = P(); a.Cascade = P(); a.BadDebtPositive = P(); a.FundDepleted = P(); a.RoundCapHit = P(); a.Adl = P();
        if (tails)
        {
            a.BadDebtTail.Merge(TailQuantiles.ReadFrom(r, a.TailCapacity));
            a.LiquidatedNotionalTail.Merge(TailQuantiles.ReadFrom(r, a.TailCapacity));
        }
        foreach (var h in new[] { a.BadDebtHistogram }.Concat(a.DrawdownHistograms).Concat(a.DepthFactorHistograms))
        {
            int bins = r.ReadInt32();
            if (bins != h.Counts.Length) throw new InvalidDataException($"histogram of {bins} bins, expected {h.Counts.Length}");
            for (int k = 0; k < bins; k++) h.Counts[k] = r.ReadInt64();
        }
        a.MarginChecks = r.ReadInt64();
        a.CohortLiquidations = r.ReadInt64();
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
        BadDebt.Merge(next.BadDebt);
        UncoveredLoss.Merge(next.UncoveredLoss);
        BadDebtPaid.Merge(next.BadDebtPaid);
        Penalties.Merge(next.Penalties);
        LiquidatedNotional.Merge(next.LiquidatedNotional);
        FundEnd.Merge(next.FundEnd);
        FundMin.Merge(next.FundMin);
        MaxRounds.Merge(next.MaxRounds);
        AdlNotional.Merge(next.AdlNotional);
        AdlAbsorbed.Merge(next.AdlAbsorbed);
        QueueMaxNotional.Merge(next.QueueMaxNotional);
        QueueSteps.Merge(next.QueueSteps);
        for (int i = 0; i < AssetCount; i++)
        {
            MaxDrawdown[i].Merge(next.MaxDrawdown[i]);
            ExogenousMaxDrawdown[i].Merge(next.ExogenousMaxDrawdown[i]);
            LiquidatedNotionalByAsset[i].Merge(next.LiquidatedNotionalByAsset[i]);
            MaxDisplacement[i].Merge(next.MaxDisplacement[i]);
            MinDepthFactor[i].Merge(next.MinDepthFactor[i]);
        }
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
        AnyLiquidation.Merge(next.AnyLiquidation);
        Cascade.Merge(next.Cascade);
        BadDebtPositive.Merge(next.BadDebtPositive);
        FundDepleted.Merge(next.FundDepleted);
        RoundCapHit.Merge(next.RoundCapHit);
        Adl.Merge(next.Adl);
        BadDebtHistogram.Merge(next.BadDebtHistogram);
        MarginChecks += next.MarginChecks;
        CohortLiquidations += next.CohortLiquidations;
        for (int i = 0; i < AssetCount; i++)
        {
            DrawdownHistograms[i].Merge(next.DrawdownHistograms[i]);
            DepthFactorHistograms[i].Merge(next.DepthFactorHistograms[i]);
        }
        BadDebtTail.Merge(next.BadDebtTail);
        LiquidatedNotionalTail.Merge(next.LiquidatedNotionalTail);
        if (next.Series is { } series) (Series ??= series.EmptyLike()).MergeCounts(series);
        if (next.Samples is { } samples) (Samples ??= new SamplePaths(samples.Count, samples.Rows, samples.Fields)).Merge(samples);
    }
}
