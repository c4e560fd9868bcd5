using GpuCascade.Market;

namespace GpuCascade.Kernels;

/// <summary>Historical shocks (docs/model.md section 2, "Historical shocks"): the step's returns from a price history in
/// place of the drawn shocks, jumps and Student-t of items 1-3.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>The history row that drives step <paramref name="step"/> of path <paramref name="path"/>: the replay's
    /// row from its start, or the step's place in its block of <see cref="HistoryParams.Block"/> steps, whose start row is
    /// drawn at the block's first step and which wraps past the last row (a circular block bootstrap).</summary>
    private readonly int HistoryRow(ulong path, int step)
    {
        if (_l.History.Method == (int)HistoryMethodCode.Replay) return _l.History.Start + step;
        int block = _l.History.Block, offset = step % block;
        int row = RandomStreams.HistoricalBlockStart(_l.Seed, path, (uint)(step - offset), _l.History.Rows) + offset;
        return row >= _l.History.Rows ? row - _l.History.Rows : row;
    }

    /// <summary>Items 1-3 of the step from history row <paramref name="row"/>, per asset: the bootstrap's and the replay's
    /// log return (the bootstrap's demeaned, plus the drift), or the filtered method's standardised residual z as the
    /// shock of item 2 (<c>(mu - h/2) dt + sqrt(h dt) z</c>); GARCH then updates the variance with the return's diffusion
    /// part as in item 2.</summary>
    private void HistoricalReturns(int row)
    {
        int n = _n;
        TP real = default;
        TD pd = _pd;
        TSD st = _m.Reals;
        int sx = MarketState.X * n, sxe = MarketState.XExogenous * n, sh = MarketState.Variance * n, sshock = MarketState.Shock * n;
        int values = _l.History.Values + row * n, drift = _l.Market.Drift, garchOmega = _l.Market.GarchOmega;
        bool filtered = _l.History.Method == (int)HistoryMethodCode.Filtered, garch = _l.Market.Garch != 0;
        double dt = _l.Dt, sqrtDt = _l.SqrtDt, drifts = _l.History.Method == (int)HistoryMethodCode.Bootstrap ? 1.0 : 0.0;
        for (int i = 0; i < n; i++)
        {
            double h = st[sh + i];
            double v = pd[values + i];
            st[sshock + i] = real.Hold(v);
            double diffusion = filtered ? Math.Sqrt(h) * sqrtDt * v : v;
            double dx = filtered ? (pd[drift + i] - 0.5 * h) * dt + diffusion : v + drifts * pd[drift + i] * dt;
            st[sx + i] = real.Hold(st[sx + i] + dx);
            st[sxe + i] = real.Hold(st[sxe + i] + dx);
            if (garch) st[sh + i] = real.Hold(pd[garchOmega + i] * _varianceMultiplier + _l.Market.GarchAlpha * diffusion * diffusion / dt + _l.Market.GarchBeta * h);
        }
    }
}

/// <summary>The historical method of a plan (<see cref="HistoryParams.Method"/>).</summary>
public enum HistoryMethodCode
{
    /// <summary>No history: the shocks are drawn (docs/model.md section 2, items 1-3).</summary>
    None = 0,
    /// <summary>Blocks of returns resampled from the history.</summary>
    Bootstrap = 1,
    /// <summary>Blocks of standardised residuals, rescaled by the path's volatility (filtered historical simulation).</summary>
    Filtered = 2,
    /// <summary>The history's returns in order from a start row, the same on every path.</summary>
    Replay = 3,
}

/// <summary>Historical shocks in the plan (docs/model.md section 2, "Historical shocks").</summary>
[PlanParams("History")]
public struct HistoryParams
{
    /// <summary>A <see cref="HistoryMethodCode"/>; 0: off.</summary>
    public int Method;
    /// <summary>Rows of the history (intervals of one step that every asset has), the block length in steps (bootstrap and
    /// filtered) and the replay's first row.</summary>
    public int Rows, Block, Start;
    /// <summary>Offset of the rows x N reals: log returns (bootstrap demeaned, replay as they were) or standardised residuals.</summary>
    public int Values;
}
