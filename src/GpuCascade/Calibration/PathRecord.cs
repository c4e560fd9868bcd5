using GpuCascade.Kernels;
using GpuCascade.Paths;

namespace GpuCascade.Calibration;

/// <summary>The per-path figures of a run that paired differences need, indexed by path: every per-path output that is a
/// calibration metric (<see cref="OutputAggregations.Target"/>), flags as bits. Filled by the engine's observer from
/// worker threads; every path is written once.</summary>
internal sealed class PathRecord
{
    /// <summary>The rows kept: real outputs as doubles, flags as one bit each of a 32-bit word.</summary>
    private static readonly OutputRow[] Rows =
        [.. OutputSchema.Rows.Where(r => r.Shape == OutputShape.PerPath && r.Has(OutputAggregations.Target))];
    private static readonly OutputRow[] RealRows = [.. Rows.Where(r => r.Storage != OutputStorage.Flag)];
    private static readonly OutputRow[] FlagRows = [.. Rows.Where(r => r.Storage == OutputStorage.Flag)];

    public PathRecord(long paths)
    {
        if (paths > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(paths), paths, $"a paired comparison keeps every path's figures: at most {Array.MaxLength:N0} paths");
        if (FlagRows.Length > 32) throw new InvalidOperationException("more than 32 flags to keep per path");
        _values = [.. RealRows.Select(_ => new double[paths])];
        _flags = new uint[paths];
    }

    private readonly double[][] _values;
    private readonly uint[] _flags;

    /// <summary>Memory per path: a double per real output kept, and a word of flags.</summary>
    public static int BytesPerPath => RealRows.Length * sizeof(double) + sizeof(uint);

    public void Observe(PathOutputs o, int from, int to)
    {
        for (int k = 0; k < RealRows.Length; k++)
            o.Span(RealRows[k])[from..to].CopyTo(_values[k].AsSpan((int)(o.Start + from), to - from));
        for (int k = 0; k < FlagRows.Length; k++)
        {
            var flag = o.Span(FlagRows[k]);
            for (int row = from; row < to; row++)
                if (flag[row] != 0) _flags[o.Start + row] |= 1u << k;
        }
    }

    /// <summary>The paths' values of a mean or probability metric (1 or 0 for an event), resolved once for a loop over paths.</summary>
    public Func<long, double> Values(RiskMetric metric)
    {
        if (metric.IsTail) throw new ArgumentOutOfRangeException(nameof(metric), metric.Name, "not a per-path mean");
        int flag = Array.FindIndex(FlagRows, r => ReferenceEquals(r, metric.Row));
        if (flag >= 0) return p => (_flags[p] >> flag) & 1u; // a flag's probability (flags have no other metric)
        double[] values = Values(metric.Row);
        return metric.IsProbability ? p => values[p] > 0 ? 1 : 0 : p => values[p];
    }

    /// <summary>The per-path loss behind a VaR or ES metric.</summary>
    public double[] Loss(RiskMetric metric) => metric.IsTail
        ? Values(metric.Row)
        : throw new ArgumentOutOfRangeException(nameof(metric), metric.Name, "not a tail metric");

    private double[] Values(OutputRow row)
    {
        int k = Array.FindIndex(RealRows, r => ReferenceEquals(r, row));
        return k >= 0 ? _values[k] : throw new ArgumentOutOfRangeException(nameof(row), row.Key, "not kept per path");
    }
}
