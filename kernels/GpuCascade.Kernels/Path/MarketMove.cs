using System.Runtime.CompilerServices;
using GpuCascade.Market;

namespace GpuCascade.Kernels;

/// <summary>The market move of a step (docs/model.md section 2).</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>Phase: after the exogenous move of step <paramref name="step"/> and before the oracle and the rounds.</summary>
    private partial void OnMarketMoved(int step);

    /// <summary>docs/model.md section 2, items 1-6: shocks, returns and GARCH, jumps, stress, impact decay, the step's margin rates.</summary>
    /// <remarks>The hot loop of a step: arrays, offsets and slots are copied into locals, so that the JIT and ILGPU keep
    /// them in registers rather than reload them after every store to the path's state.</remarks>
    private void ExogenousMove(ulong path, int step)
    {
        int n = _n;
        TP real = default;
        TD pd = _pd;
        TI pi = _pi;
        TSD st = _m.Reals;
        int sx = MarketState.X * n, sy = ExecutionState.Y * n, sxe = MarketState.XExogenous * n, sh = MarketState.Variance * n;
        int sd = ExecutionState.Displacement * n, smid = MarketState.Mid * n;
        int sminExo = MarketState.MinExogenous * n, sminMid = MarketState.MinMid * n, srate = MarketState.Rate * n;
        int smemory = ExecutionState.ImpactMemory * n;
        if (_l.History.Method != 0) HistoricalReturns(HistoryRow(path, step)); // Mechanisms/History.cs: items 1-3 from history
        else DrawnReturns(path, step);
        int stressAsset = _l.Market.StressAsset, stressReturn = _l.Market.StressLogReturn;
        for (int k = pi[_l.Market.StressStart + step], end = pi[_l.Market.StressStart + step + 1]; k < end; k++)
        {
            int a = pi[stressAsset + k];
            double r = pd[stressReturn + k];
            st[sx + a] = real.Hold(st[sx + a] + r);
            st[sxe + a] = real.Hold(st[sxe + a] + r);
        }
        int decays = _l.Impact.Decay, inverse = _l.InversePrice0, kinds = _l.Margin.Kind;
        int rates = _l.Margin.Rate, floors = _l.Margin.Floor, volScales = _l.Margin.VolScale;
        for (int i = 0; i < n; i++)
        {
            double decay = real.Hold(pd[decays + i]);
            double y = real.Hold(st[sy + i] * decay);
            st[sy + i] = y;
            st[sd + i] = real.Hold(st[sd + i] * decay);
            st[smemory + i] = real.Hold(st[smemory + i] * decay); // square-root impact's memory of executed flow
            double x = st[sx + i];
            double mid = real.Exp(real.Hold(x + y));
            st[smid + i] = mid;
            if (!Representable(mid)) Fail(PathOutput.ExogenousFailureFlag, step, i, 0);
            // The exogenous minimum is kept in log price and exponentiated once at the end: exp is monotone, so the
            // minimum of exp(x_k - x_0) is exp(min x_k - x_0), without an exp per step.
            double xe = st[sxe + i];
            if (xe < st[sminExo + i]) st[sminExo + i] = xe;
            double rel = real.Hold(mid * real.Hold(pd[inverse + i])); // the mid is exp(x + y) of the current state
            if (rel < st[sminMid + i]) st[sminMid + i] = rel;
            // Margin rates for the step: static, or volatility-scaled with the variance after this step's update.
            int kind = pi[kinds + i];
            st[srate + i] = kind == (int)MarginKind.Static ? pd[rates + i]
                : kind == (int)MarginKind.Dynamic ? Math.Max(pd[floors + i], pd[volScales + i] * Math.Sqrt(st[sh + i]))
                : 0.0;
        }
    }

    /// <summary>docs/model.md section 2, items 1-3: the step's drawn shocks, returns and GARCH, and the common jump.</summary>
    private void DrawnReturns(ulong path, int step)
    {
        int n = _n;
        TP real = default;
        TD pd = _pd;
        TSD st = _m.Reals;
        ulong seed = _l.Seed;
        uint ustep = (uint)step;
        int normals = _l.NormalsSlot;
        int sx = MarketState.X * n, sxe = MarketState.XExogenous * n, sh = MarketState.Variance * n, sshock = MarketState.Shock * n;
        for (int k = 0; 4 * k < n; k++)
        {
            RandomStreams.Words(seed, path, ustep, RandomStreams.NormalSlotBase + (uint)k, out uint r0, out uint r1, out uint r2, out uint r3);
            int slot = normals + 4 * k, left = n - 4 * k;
            // Only the normals the step uses (as RandomStreams.StepNormals): with 3 assets the last sine is never
            // taken, with 2 the second pair is not drawn at all.
            if (left >= 2)
            {
                RandomStreams.BoxMuller(r0, r1, out double z0, out double z1);
                st[slot] = real.Hold(z0);
                st[slot + 1] = real.Hold(z1);
            }
            else
            {
                st[slot] = real.Hold(RandomStreams.BoxMullerCosine(r0, r1));
            }
            if (left >= 4)
            {
                RandomStreams.BoxMuller(r2, r3, out double z2, out double z3);
                st[slot + 2] = real.Hold(z2);
                st[slot + 3] = real.Hold(z3);
            }
            else if (left == 3)
            {
                st[slot + 2] = real.Hold(RandomStreams.BoxMullerCosine(r2, r3));
            }
        }
        double scale = 1.0;
        if (_l.Market.StudentT != 0)
        {
            double w = RandomStreams.ChiSquare(seed, path, ustep, _l.Market.Dof);
            scale = Math.Sqrt(_l.Market.StudentScaleNumerator / w);
        }
        int cholesky = _l.Market.Cholesky;
        for (int i = 0; i < n; i++)
        {
            double e = 0;
            int row = cholesky + i * n;
            for (int j = 0; j <= i; j++) e += pd[row + j] * st[normals + j];
            st[sshock + i] = real.Hold(e * scale);
        }
        double jump = 0;
        bool jumped = false;
        if (_l.Market.Jumps != 0 && RandomStreams.JumpUniform(seed, path, ustep) < _l.Market.JumpProbability)
        {
            jumped = true;
            jump = _l.Market.JumpMean + _l.Market.JumpVolatility * RandomStreams.JumpNormal(seed, path, ustep);
        }
        double dt = _l.Dt, sqrtDt = _l.SqrtDt;
        bool garch = _l.Market.Garch != 0;
        double garchAlpha = _l.Market.GarchAlpha, garchBeta = _l.Market.GarchBeta;
        int drift = _l.Market.Drift, jumpBeta = _l.Market.JumpBeta, garchOmega = _l.Market.GarchOmega;
        for (int i = 0; i < n; i++)
        {
            double h = st[sh + i];
            double diffusion = Math.Sqrt(h) * sqrtDt * st[sshock + i];
            double dx = (pd[drift + i] - 0.5 * h) * dt + diffusion;
            if (jumped) dx += pd[jumpBeta + i] * jump;
            st[sx + i] = real.Hold(st[sx + i] + dx);
            st[sxe + i] = real.Hold(st[sxe + i] + dx);
            if (garch) st[sh + i] = real.Hold(pd[garchOmega + i] * _varianceMultiplier + garchAlpha * diffusion * diffusion / dt + garchBeta * h);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void TrackMin(int i)
    {
        TP real = default;
        double rel = real.Hold(A(MarketState.Mid, i) * real.Hold(Pd(_l.InversePrice0, i))); // the mid is exp(x + y) of the current state
        if (rel < A(MarketState.MinMid, i)) A(MarketState.MinMid, i) = rel;
    }

    /// <summary>Asset <paramref name="i"/>'s log mid x + y, held in the market state's precision (the mid is its exp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly double LogMid(int i)
    {
        TP real = default;
        return real.Hold(A(MarketState.X, i) + A(ExecutionState.Y, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Representable(double price) => price > 0 && price <= double.MaxValue;
}

/// <summary>The market move's parameters in the plan (docs/model.md section 2): the innovations, GARCH, the common jumps,
/// the drift and the correlation's factor, and the scenario's stress returns.</summary>
public struct MarketParams
{
    /// <summary>Student-t innovations, GARCH(1,1) variance, common jumps (each 0 or 1).</summary>
    public int StudentT, Garch, Jumps;
    /// <summary>Student-t degrees of freedom and the scale numerator nu - 2.</summary>
    public double Dof, StudentScaleNumerator;
    /// <summary>GARCH alpha and beta.</summary>
    public double GarchAlpha, GarchBeta;
    /// <summary>Jump probability per step, mean and volatility of the log size.</summary>
    public double JumpProbability, JumpMean, JumpVolatility;
    /// <summary>Offsets of the per-asset reals: drift, jump beta, GARCH omega; of the lower Cholesky factor (N x N).</summary>
    public int Drift, JumpBeta, GarchOmega, Cholesky;
    /// <summary>Offsets of the stress returns: where each step's start (Steps + 1 integers), their assets (integers) and
    /// their log returns (reals).</summary>
    public int StressStart, StressAsset, StressLogReturn;
}

/// <summary>Per-asset state of the market move: log prices (x with the permanent impact, the exogenous x without it), the
/// variance, the step's correlated shock, the mid, the step's margin rate and the running minima.</summary>
[StateBlock(0)]
public static partial class MarketState
{
    private const int F = First;

    /// <summary>Per-asset fields.</summary>
    public const int X = F, XExogenous = F + 1, Variance = F + 2, Shock = F + 3, Mid = F + 4, Rate = F + 5, MinMid = F + 6,
        MinExogenous = F + 7;

    /// <summary>How many per-asset fields the market move needs.</summary>
    public const int Fields = 8;
}
