using GpuCascade.Simulation;

namespace GpuCascade.Calibration;

/// <summary>The per-path figures of a run that paired differences need, indexed by path (filled by the engine's
/// observer from worker threads; every path is written once).</summary>
internal sealed class PathRecord
{
    public PathRecord(long paths)
    {
        if (paths > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(paths), paths, $"a paired comparison keeps every path's figures: at most {Array.MaxLength:N0} paths");
        BadDebt = new double[paths];
        LiquidatedNotional = new double[paths];
        UncoveredLoss = new double[paths];
        UncoveredBeforeAdl = new double[paths];
        AdlAbsorbed = new double[paths];
        QueueMaxNotional = new double[paths];
        Flags = new byte[paths];
    }

    private const byte AnyLiquidationFlag = 1, CascadeFlag = 2;

    /// <summary>Memory per path: six doubles and a byte of flags.</summary>
    public const int BytesPerPath = 6 * sizeof(double) + 1;

    public double[] BadDebt { get; }
    public double[] LiquidatedNotional { get; }
    public double[] UncoveredLoss { get; }
    public double[] UncoveredBeforeAdl { get; }
    public double[] AdlAbsorbed { get; }
    public double[] QueueMaxNotional { get; }
    public byte[] Flags { get; }

    public void Observe(PathOutputs o, int from, int to)
    {
        for (int row = from; row < to; row++)
        {
            long p = o.Start + row;
            BadDebt[p] = o.BadDebt[row];
            LiquidatedNotional[p] = o.LiquidatedNotional[row];
            UncoveredLoss[p] = o.UncoveredLoss[row];
            UncoveredBeforeAdl[p] = o.UncoveredBeforeAdl[row];
            AdlAbsorbed[p] = o.AdlAbsorbed[row];
            QueueMaxNotional[p] = o.QueueMaxNotional[row];
            Flags[p] = (byte)((o.AnyLiquidation(row) ? AnyLiquidationFlag : 0) | (o.Cascade[row] ? CascadeFlag : 0));
        }
    }

    /// <summary>The path's value of a mean or probability metric (1 or 0 for an event).</summary>
    public double Value(RiskMetric metric, long p) => metric.Kind switch
    {
        MetricKind.AnyLiquidation => (Flags[p] & AnyLiquidationFlag) != 0 ? 1 : 0,
        MetricKind.Cascade => (Flags[p] & CascadeFlag) != 0 ? 1 : 0,
        MetricKind.BadDebtProbability => BadDebt[p] > 0 ? 1 : 0,
        MetricKind.FundDepleted => UncoveredBeforeAdl[p] > 0 ? 1 : 0,
        MetricKind.BadDebtMean => BadDebt[p],
        MetricKind.LiquidatedNotionalMean => LiquidatedNotional[p],
        MetricKind.UncoveredLossMean => UncoveredLoss[p],
        MetricKind.AdlProbability => AdlAbsorbed[p] > 0 ? 1 : 0,
        MetricKind.AdlLossMean => AdlAbsorbed[p],
        MetricKind.QueueMaxNotionalMean => QueueMaxNotional[p],
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric.Name, "not a per-path mean"),
    };

    /// <summary>The per-path loss behind a VaR or ES metric.</summary>
    public double[] Loss(RiskMetric metric) => metric.Kind switch
    {
        MetricKind.BadDebtVaR or MetricKind.BadDebtES => BadDebt,
        MetricKind.LiquidatedNotionalVaR or MetricKind.LiquidatedNotionalES => LiquidatedNotional,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric.Name, "not a tail metric"),
    };
}
