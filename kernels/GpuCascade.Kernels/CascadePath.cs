using System.Runtime.CompilerServices;
using GpuCascade.Market;
using GpuCascade.Simulation;

namespace GpuCascade.Kernels;

/// <summary>
/// One Monte Carlo path of the model (docs/model.md sections 2-6), written once: the managed backend calls it natively
/// on .NET threads and ILGPU compiles it for CUDA, OpenCL and its CPU accelerator (<see cref="PathKernels"/>).
/// Hence the style: a struct with no references, no allocation, exceptions or virtual calls; every array is an
/// <see cref="IModelArray{T}"/> and a path's state lives in <see cref="PathSlots{TD,TI}"/>.
/// <para>
/// A cohort's state is implicit (its starting values, read from the plan) until the path first liquidates it: bit c
/// of the path's modified words says whether its slots hold it. Most cohorts are never touched, so their state is
/// never written or read, which keeps a device's per-path memory traffic to the cohorts the path actually changes.
/// </para>
/// </summary>
/// <typeparam name="TD">The plan's real array.</typeparam>
/// <typeparam name="TI">The plan's integer array.</typeparam>
/// <typeparam name="TSD">The path's real state slots.</typeparam>
/// <typeparam name="TSI">The path's integer state slots.</typeparam>
/// <typeparam name="TP">The market state's precision.</typeparam>
public struct CascadePath<TD, TI, TSD, TSI, TP>
    where TD : struct, IModelArray<double>
    where TI : struct, IModelArray<int>
    where TSD : struct, IModelArray<double>
    where TSI : struct, IModelArray<int>
    where TP : struct, IPrecision
{
    private PlanLayout _l;
    private TD _pd;
    private TI _pi;
    private PathSlots<TSD, TSI> _m;
    private int _n, _cohorts, _touchedCount;
    private long _marginChecks, _liquidations;
    private int _failFlag, _failStep, _failAsset;
    private double _failLogPrice, _failFlow;
    // The path's uncertain inputs (docs/model.md section 8.4): depth u, volatility w (and w^2 for variances), book r; 1 when known.
    private double _depthMultiplier, _volatilityMultiplier, _varianceMultiplier, _bookMultiplier;

    /// <summary>A path runner over the plan (<paramref name="layout"/>, <paramref name="reals"/>,
    /// <paramref name="ints"/>) with its state in <paramref name="state"/>.</summary>
    public CascadePath(in PlanLayout layout, TD reals, TI ints, PathSlots<TSD, TSI> state)
    {
        _l = layout;
        _pd = reals;
        _pi = ints;
        _m = state;
        _n = layout.Assets;
        _cohorts = layout.Cohorts;
        // The per-path counters and failure fields start at their defaults; Run resets them for every path.
    }

    // ------------------------------------------------------------------ access

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly double Pd(int offset, int k) => _pd[offset + k];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly int Pi(int offset, int k) => _pi[offset + k];

    /// <summary>Per-asset state field <paramref name="field"/> of asset <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref double A(int field, int i) => ref _m.R(field * _n + i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref double CohortReal(int field, int c) => ref _m.R(_l.CohortRealSlot + field * _cohorts + c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref int CohortInt(int field, int c) => ref _m.I(field * _cohorts + c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref int ModifiedWord(int c) => ref _m.I(_l.ModifiedSlot + (c >> 5));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly bool IsModified(int c) => ((ModifiedWord(c) >> (c & 31)) & 1) != 0;

    private readonly double ScaleOf(int c) => IsModified(c) ? CohortReal(PathState.Scale, c) : 1.0;
    private readonly double CollateralScaleOf(int c) => IsModified(c) ? CohortReal(PathState.CollateralScale, c) : 1.0;
    private readonly double BalanceOf(int c) => IsModified(c) ? CohortReal(PathState.Balance, c) : Pd(_l.UsdCollateral, c);
    private readonly bool OpenOf(int c) => !IsModified(c) || CohortInt(PathState.Open, c) != 0;
    private readonly bool ForcedOf(int c) => IsModified(c) && CohortInt(PathState.ForceClose, c) != 0;
    private readonly int PartialStepOf(int c) => IsModified(c) ? CohortInt(PathState.PartialStep, c) : -1;
    private readonly bool TouchedOf(int c) => IsModified(c) && CohortInt(PathState.Touched, c) != 0;

    /// <summary>Writes cohort c's starting state into its slots the first time the path changes it.</summary>
    private readonly void Materialize(int c)
    {
        if (IsModified(c)) return;
        CohortReal(PathState.Scale, c) = 1.0;
        CohortReal(PathState.CollateralScale, c) = 1.0;
        CohortReal(PathState.Balance, c) = Pd(_l.UsdCollateral, c);
        CohortReal(PathState.LiquidatedNotional, c) = 0;
        CohortReal(PathState.BadDebt, c) = 0;
        CohortInt(PathState.Open, c) = 1;
        CohortInt(PathState.ForceClose, c) = 0;
        CohortInt(PathState.PartialStep, c) = -1;
        CohortInt(PathState.Touched, c) = 0;
        ModifiedWord(c) |= 1 << (c & 31);
    }

    // ------------------------------------------------------------------ the path

    /// <summary>Simulates path <paramref name="path"/> and writes its outputs (<see cref="PathOutput"/>) to <paramref name="output"/>
    /// (no record: the plan's <see cref="PlanLayout.Series"/> must be 0).</summary>
    public void Run<TOD, TOI>(ulong path, PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int> =>
        Run(path, output, output.Reals);

    /// <summary>Simulates path <paramref name="path"/>, writes its outputs (<see cref="PathOutput"/>) to <paramref name="output"/>
    /// and, with <see cref="PlanLayout.Series"/>, its record (<see cref="PathSeries"/>) to <paramref name="record"/>.</summary>
    public void Run<TOD, TOI, TR>(ulong path, PathSlots<TOD, TOI> output, TR record)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
        where TR : struct, IModelArray<double>
    {
        int n = _n;
        int delay = _l.OracleDelay;
        TP real = default;
        DrawUncertainInputs(path);

        for (int i = 0; i < n; i++)
        {
            double logPrice0 = real.Hold(Pd(_l.LogPrice0, i));
            A(PathState.X, i) = logPrice0;
            A(PathState.XExogenous, i) = logPrice0;
            A(PathState.Y, i) = 0;
            A(PathState.ImpactMemory, i) = 0;
            A(PathState.RealisedVariance, i) = real.Hold(Pd(_l.Variance0, i) * _varianceMultiplier);
            A(PathState.Withdrawal, i) = 0;
            A(PathState.StepStartMid, i) = A(PathState.Mid, i);
            A(PathState.MinDepthFactor, i) = _depthMultiplier;
            A(PathState.StepDepthFactor, i) = _depthMultiplier;
            A(PathState.Queued, i) = 0;
            A(PathState.Displacement, i) = 0;
            A(PathState.Variance, i) = real.Hold(Pd(_l.Variance0, i) * _varianceMultiplier);
            A(PathState.Mid, i) = real.Exp(logPrice0);
            A(PathState.MinMid, i) = 1.0;
            A(PathState.MinExogenous, i) = logPrice0; // in log price (ExogenousMove)
            A(PathState.MaxDisplacement, i) = 0;
            A(PathState.Liquidated, i) = 0;
            A(PathState.ClosedUnits, i) = 0;
        }
        for (int slot = 0; slot < delay; slot++)
            for (int i = 0; i < n; i++) _m.R(_l.HistorySlot + slot * n + i) = Pd(_l.LogPrice0, i);
        int words = PathState.ModifiedWords(_cohorts);
        for (int w = 0; w < words; w++) _m.I(_l.ModifiedSlot + w) = 0;
        int groups = PathState.ScreenGroups(n);
        for (int g = 0; g < groups; g++)
        {
            int first = Pi(_l.ScreenGroupStart, g);
            _m.I(_l.CursorSlot + g) = first;
            _m.R(_l.ThresholdSlot + g) = first < Pi(_l.ScreenGroupStart, g + 1) ? Pd(_l.ScreenSlack, first) : double.PositiveInfinity;
        }
        _touchedCount = 0;
        _marginChecks = 0;
        _liquidations = 0;
        _failFlag = 0;
        _failStep = -1;
        _failAsset = -1;
        _failLogPrice = 0;
        _failFlow = 0;

        double fund = _l.FundStart, fundMin = fund;
        double badDebt = 0, paid = 0, uncovered = 0, penalties = 0;
        double uncoveredBefore = 0, adlAbsorbed = 0, adlNotional = 0; // docs/model.md section 8.3: before ADL, what ADL took
        double queueMax = 0, queueSteps = 0; // docs/model.md section 8.2: the largest queued notional at a step's end, steps ending with a queue
        int maxRounds = 0;
        bool capHit = false, cascade = false;

        if (_l.OpeningRound != 0)
        {
            // The opening round (--breach liquidate): the marked cohorts, at the starting prices, before step 0's move.
            CopyMidToOracle();
            int count = 0;
            for (int c = 0; c < _cohorts; c++)
            {
                if (Pi(_l.LiquidateAtStart, c) == 0) continue;
                CohortReal(PathState.Fraction, c) = _l.Tranche;
                CohortInt(PathState.RoundList, count) = c;
                count++;
            }
            SumRoundFlows(count);
            _liquidations += count;
            Execute(0);
            if (_failFlag == 0)
            {
                // Settled as step -1: a partly closed cohort may take another tranche in step 0's rounds.
                uncovered += Allocate(Settle(count, -1, ref fund, ref badDebt, ref paid, ref uncoveredBefore, ref penalties),
                    ref adlAbsorbed, ref adlNotional);
                AfterRound(fund, ref fundMin, ref cascade);
            }
        }

        if (_l.Series != 0 && _failFlag == 0)
        {
            // Row 0, the start: the depth the first round would see (before any recovery or move).
            if (_l.Liquidity != 0)
                for (int i = 0; i < n; i++) A(PathState.StepDepthFactor, i) = _depthMultiplier * DepthFactor(i);
            WriteSeriesRow(record, 0, fund, uncoveredBefore);
        }

        bool stopped = false;
        for (int step = 0; step < _l.Steps && _failFlag == 0; step++)
        {
            if (_l.CancelCheck != 0 && step % PathState.CancelCheckSteps == PathState.CancelCheckSteps - 1 && _m.I(_l.CancelSlot) != 0)
            {
                stopped = true; // the host discards this path: its block is not complete
                break;
            }
            if (_l.Liquidity != 0) StepStartLiquidity();
            ExogenousMove(path, step);
            if (_failFlag != 0) break;

            // Oracle for the step: live (refreshed every round) or the end price of step k - d.
            if (delay > 0)
            {
                int slot = step % delay;
                for (int i = 0; i < n; i++) A(PathState.Oracle, i) = real.Exp(real.Hold(_m.R(_l.HistorySlot + slot * n + i)));
            }

            if (_l.Capacity != 0)
                for (int i = 0; i < n; i++) A(PathState.CapacityLeft, i) = _l.CapacityPerStep; // unused capacity does not carry over
            int rounds = 0;
            for (int round = 1; round <= _l.RoundCap; round++)
            {
                if (delay == 0) CopyMidToOracle();
                int count = CollectLiquidations(step);
                if (count == 0) break;
                _liquidations += count;
                rounds = round;
                Execute(step);
                if (_failFlag != 0) break;
                uncovered += Allocate(Settle(count, step, ref fund, ref badDebt, ref paid, ref uncoveredBefore, ref penalties),
                    ref adlAbsorbed, ref adlNotional);
                AfterRound(fund, ref fundMin, ref cascade);
                if (round == _l.RoundCap)
                {
                    if (delay == 0) CopyMidToOracle();
                    // Cohorts held back only by capacity do not count (docs/model.md section 8.2).
                    if (_l.Capacity == 0 ? ScanCandidates(step, stopAtFirst: true) > 0 : AnyWithCapacity(ScanCandidates(step, stopAtFirst: false)))
                        capHit = true;
                }
            }
            if (rounds > maxRounds) maxRounds = rounds;
            if (_l.Capacity != 0 && _failFlag == 0)
            {
                double queued = QueuedNotional(step);
                if (queued > 0) queueSteps++;
                if (queued > queueMax) queueMax = queued;
            }
            if (_l.Liquidity != 0 && _failFlag == 0) StepEndLiquidity();

            if (delay > 0 && _failFlag == 0)
            {
                int slot = step % delay;
                for (int i = 0; i < n; i++)
                    _m.R(_l.HistorySlot + slot * n + i) = real.Hold(A(PathState.X, i) + A(PathState.Y, i));
            }
            if (_l.Series != 0 && _failFlag == 0) WriteSeriesRow(record, step + 1, fund, uncoveredBefore);
        }

        output.R(PathOutput.BadDebt) = badDebt;
        output.R(PathOutput.BadDebtPaid) = paid;
        output.R(PathOutput.UncoveredLoss) = uncovered;
        output.R(PathOutput.UncoveredBeforeAdl) = uncoveredBefore;
        output.R(PathOutput.AdlAbsorbed) = adlAbsorbed;
        output.R(PathOutput.AdlNotional) = adlNotional;
        output.R(PathOutput.QueueMaxNotional) = queueMax;
        output.R(PathOutput.QueueSteps) = queueSteps;
        output.R(PathOutput.Penalties) = penalties;
        output.R(PathOutput.FundEnd) = fund;
        output.R(PathOutput.FundMin) = fundMin;
        double total = 0, closedShare = 0;
        for (int i = 0; i < n; i++)
        {
            double liquidated = A(PathState.Liquidated, i);
            total += liquidated;
            output.R(PathOutput.RealFields + PathOutput.LiquidatedByAsset * n + i) = liquidated;
            output.R(PathOutput.RealFields + PathOutput.MaxDrawdown * n + i) = 1.0 - A(PathState.MinMid, i);
            output.R(PathOutput.RealFields + PathOutput.ExogenousMaxDrawdown * n + i) =
                1.0 - real.Exp(real.Hold(A(PathState.MinExogenous, i) - real.Hold(Pd(_l.LogPrice0, i))));
            output.R(PathOutput.RealFields + PathOutput.MaxDisplacement * n + i) = A(PathState.MaxDisplacement, i);
            output.R(PathOutput.RealFields + PathOutput.FinalPrice * n + i) = A(PathState.Mid, i);
            output.R(PathOutput.RealFields + PathOutput.MinDepthFactor * n + i) = A(PathState.MinDepthFactor, i);
            double bookUnits = Pd(_l.BookUnits, i);
            if (bookUnits > 0) closedShare = Math.Max(closedShare, A(PathState.ClosedUnits, i) / bookUnits);
        }
        output.R(PathOutput.LiquidatedNotional) = total;
        output.R(PathOutput.ClosedUnitsShare) = closedShare;
        output.R(PathOutput.MarginChecks) = _marginChecks;
        output.R(PathOutput.CohortLiquidations) = _liquidations;
        output.R(PathOutput.FailLogPrice) = _failLogPrice;
        output.R(PathOutput.FailFlow) = _failFlow;
        output.I(PathOutput.MaxRounds) = maxRounds;
        output.I(PathOutput.Flags) = (capHit ? PathOutput.RoundCapHitFlag : 0) | (cascade ? PathOutput.CascadeFlag : 0) | _failFlag
                                     | (stopped ? PathOutput.CancelledFlag : 0);
        output.I(PathOutput.FailStep) = _failStep;
        output.I(PathOutput.FailAsset) = _failAsset;
    }

    /// <summary>Row <paramref name="row"/> of the path's record (docs/model.md section 8.5, <see cref="PathSeries"/>).</summary>
    private readonly void WriteSeriesRow<TR>(TR output, int row, double fund, double uncoveredBefore)
        where TR : struct, IModelArray<double>
    {
        TP real = default;
        int n = _n;
        int slot = PathSeries.Slot(n, row);
        output[slot + PathSeries.Fund] = fund;
        output[slot + PathSeries.UncoveredBeforeAdl] = uncoveredBefore;
        slot += PathSeries.PathFields;
        for (int i = 0; i < n; i++)
        {
            // Relative prices as the drawdowns take them: the start is exactly 1 (unless an opening round moved the mid).
            output[slot + PathSeries.Price * n + i] = row == 0 && _l.OpeningRound == 0
                ? 1.0
                : real.Hold(A(PathState.Mid, i) * real.Hold(Pd(_l.InversePrice0, i)));
            output[slot + PathSeries.ExogenousPrice * n + i] =
                real.Exp(real.Hold(A(PathState.XExogenous, i) - real.Hold(Pd(_l.LogPrice0, i))));
            output[slot + PathSeries.LiquidatedNotional * n + i] = A(PathState.Liquidated, i);
            output[slot + PathSeries.DepthFactor * n + i] = A(PathState.StepDepthFactor, i);
            output[slot + PathSeries.QueuedNotional * n + i] = _l.Capacity != 0 ? A(PathState.Queued, i) : 0.0;
        }
    }

    /// <summary>After a round: the fund's minimum, each asset's largest displacement (a cascade past the threshold) and
    /// lowest price.</summary>
    private readonly void AfterRound(double fund, ref double fundMin, ref bool cascade)
    {
        if (fund < fundMin) fundMin = fund;
        for (int i = 0; i < _n; i++)
        {
            double ad = Math.Abs(A(PathState.Displacement, i));
            if (ad > A(PathState.MaxDisplacement, i)) A(PathState.MaxDisplacement, i) = ad;
            if (ad >= _l.CascadeThreshold) cascade = true;
            TrackMin(i);
        }
    }

    private readonly void CopyMidToOracle()
    {
        for (int i = 0; i < _n; i++) A(PathState.Oracle, i) = A(PathState.Mid, i);
    }

    /// <summary>Records the first price that left the representable range; the host turns it into the error.</summary>
    private void Fail(int flag, int step, int asset, double flow)
    {
        if (_failFlag != 0) return;
        _failFlag = flag;
        _failStep = step;
        _failAsset = asset;
        _failLogPrice = A(PathState.X, asset) + A(PathState.Y, asset);
        _failFlow = flow;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Representable(double price) => price > 0 && price <= double.MaxValue;

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
        ulong seed = _l.Seed;
        uint ustep = (uint)step;
        int normals = _l.NormalsSlot;
        int sx = PathState.X * n, sy = PathState.Y * n, sxe = PathState.XExogenous * n, sh = PathState.Variance * n;
        int sd = PathState.Displacement * n, sshock = PathState.Shock * n, smid = PathState.Mid * n;
        int sminExo = PathState.MinExogenous * n, sminMid = PathState.MinMid * n, srate = PathState.Rate * n;
        int smemory = PathState.ImpactMemory * n;
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
        if (_l.StudentT != 0)
        {
            double w = RandomStreams.ChiSquare(seed, path, ustep, _l.Dof);
            scale = Math.Sqrt(_l.StudentScaleNumerator / w);
        }
        int cholesky = _l.Cholesky;
        for (int i = 0; i < n; i++)
        {
            double e = 0;
            int row = cholesky + i * n;
            for (int j = 0; j <= i; j++) e += pd[row + j] * st[normals + j];
            st[sshock + i] = real.Hold(e * scale);
        }
        double jump = 0;
        bool jumped = false;
        if (_l.Jumps != 0 && RandomStreams.JumpUniform(seed, path, ustep) < _l.JumpProbability)
        {
            jumped = true;
            jump = _l.JumpMean + _l.JumpVolatility * RandomStreams.JumpNormal(seed, path, ustep);
        }
        double dt = _l.Dt, sqrtDt = _l.SqrtDt;
        bool garch = _l.Garch != 0;
        double garchAlpha = _l.GarchAlpha, garchBeta = _l.GarchBeta;
        int drift = _l.Drift, jumpBeta = _l.JumpBeta, garchOmega = _l.GarchOmega;
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
        int stressAsset = _l.StressAsset, stressReturn = _l.StressLogReturn;
        for (int k = pi[_l.StressStart + step], end = pi[_l.StressStart + step + 1]; k < end; k++)
        {
            int a = pi[stressAsset + k];
            double r = pd[stressReturn + k];
            st[sx + a] = real.Hold(st[sx + a] + r);
            st[sxe + a] = real.Hold(st[sxe + a] + r);
        }
        int decays = _l.ImpactDecay, inverse = _l.InversePrice0, kinds = _l.MarginKind;
        int rates = _l.MarginRate, floors = _l.MarginFloor, volScales = _l.MarginVolScale;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void TrackMin(int i)
    {
        TP real = default;
        double rel = real.Hold(A(PathState.Mid, i) * real.Hold(Pd(_l.InversePrice0, i))); // the mid is exp(x + y) of the current state
        if (rel < A(PathState.MinMid, i)) A(PathState.MinMid, i) = rel;
    }

    /// <summary>Equity minus maintenance requirement of an open cohort at the current oracle prices (docs/model.md section 4).</summary>
    private readonly double Excess(int c) => ExcessParts(c, out _, out _);

    /// <summary>Equity minus requirement, with both (the rank of docs/model.md section 8.2 is their ratio).</summary>
    private readonly double ExcessParts(int c, out double equityOut, out double requirementOut)
    {
        double s = ScaleOf(c);
        double positionValue = 0, requirement = 0;
        int end = Pi(_l.PositionStart, c + 1);
        if (_l.AnyTiered != 0)
        {
            for (int p = Pi(_l.PositionStart, c); p < end; p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double q = Pd(_l.PositionUnits, p), o = A(PathState.Oracle, a);
                positionValue += q * o;
                double notional = Math.Abs(q) * o;
                requirement += Pi(_l.PositionTiered, p) != 0
                    ? TieredRequirement(a, s * notional, Pd(_l.Accounts, c))
                    : s * A(PathState.Rate, a) * notional;
            }
        }
        else
        {
            for (int p = Pi(_l.PositionStart, c); p < end; p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double q = Pd(_l.PositionUnits, p), o = A(PathState.Oracle, a);
                positionValue += q * o;
                requirement += A(PathState.Rate, a) * Math.Abs(q) * o;
            }
            requirement *= s;
        }
        double equity = BalanceOf(c) + s * (positionValue - Pd(_l.EntryValue, c));
        int collateralEnd = Pi(_l.CollateralStart, c + 1);
        int j = Pi(_l.CollateralStart, c);
        if (j < collateralEnd)
        {
            double collateral = 0;
            for (; j < collateralEnd; j++)
            {
                int a = Pi(_l.CollateralAsset, j);
                collateral += Pd(_l.CollateralWeight, a) * Pd(_l.CollateralUnits, j) * A(PathState.Oracle, a);
            }
            equity += CollateralScaleOf(c) * collateral;
        }
        equityOut = equity;
        requirementOut = requirement;
        return equity - requirement;
    }

    private readonly double TieredRequirement(int asset, double notional, double accounts)
    {
        double perAccount = notional / accounts;
        int last = Pi(_l.TierStart, asset + 1) - 1;
        int t = Pi(_l.TierStart, asset);
        while (t < last && perAccount > Pd(_l.TierCap, t)) t++;
        return notional * Pd(_l.TierRate, t) - accounts * Pd(_l.TierAmount, t);
    }

    /// <summary>docs/model.md section 5, items 2-3: finds the cohorts to liquidate this round and sums their flows in units.</summary>
    private int CollectLiquidations(int step)
    {
        int count = ScanCandidates(step, stopAtFirst: false);
        if (count == 0) return 0;
        // Candidates come in screening order; settle and sum flows in cohort order, as the unscreened loop does, so
        // that every sum is the same whether or not the screen is on.
        SortCohortList(PathState.RoundList, count, byRank: false);
        if (_l.Capacity != 0)
        {
            count = ApplyCapacity(count);
            if (count == 0) return 0;
        }
        SumRoundFlows(count);
        return count;
    }

    /// <summary>
    /// docs/model.md section 8.2: in rank order (forced closes first, then the most underwater, E / M ascending, ties by index), each
    /// candidate gets f' = min(f, the remaining capacity of each asset it trades over its flow there at fraction 1);
    /// candidates with f' = 0 wait (queued) and leave the round; the list stays in cohort order. Returns its new length.
    /// </summary>
    private int ApplyCapacity(int count)
    {
        for (int k = 0; k < count; k++) CohortInt(PathState.RankList, k) = CohortInt(PathState.RoundList, k);
        SortCohortList(PathState.RankList, count, byRank: true);
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RankList, k);
            double f = CohortReal(PathState.Fraction, c), s = ScaleOf(c);
            double allowed = f, total = 0;
            int first = Pi(_l.PositionStart, c), end = Pi(_l.PositionStart, c + 1);
            for (int p = first; p < end; p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double flow = 0; // the cohort's position flow in asset a at fraction 1, at the pre-round mid
                for (int q = first; q < end; q++)
                    if (Pi(_l.PositionAsset, q) == a) flow += Math.Abs(s * Pd(_l.PositionUnits, q)) * A(PathState.Mid, a) * _bookMultiplier;
                total += Math.Abs(s * Pd(_l.PositionUnits, p)) * A(PathState.Mid, a) * _bookMultiplier;
                if (flow > 0) allowed = Math.Min(allowed, Math.Max(0.0, A(PathState.CapacityLeft, a)) / flow);
            }
            // What rounding leaves of a spent budget (a billionth of a step's capacity) buys nothing.
            if (allowed * total <= 1e-9 * _l.CapacityPerStep) allowed = 0;
            for (int p = first; p < end; p++)
            {
                int a = Pi(_l.PositionAsset, p);
                A(PathState.CapacityLeft, a) -= allowed * Math.Abs(s * Pd(_l.PositionUnits, p)) * A(PathState.Mid, a) * _bookMultiplier;
            }
            CohortReal(PathState.Fraction, c) = allowed;
        }
        int kept = 0;
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RoundList, k);
            if (CohortReal(PathState.Fraction, c) > 0) CohortInt(PathState.RoundList, kept++) = c;
        }
        return kept;
    }

    /// <summary>Whether some of the <paramref name="count"/> listed candidates has capacity left in every asset it trades.</summary>
    private readonly bool AnyWithCapacity(int count)
    {
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RoundList, k);
            bool all = true;
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                if (!(A(PathState.CapacityLeft, Pi(_l.PositionAsset, p)) > 0)) all = false;
            if (all) return true;
        }
        return false;
    }

    /// <summary>docs/model.md section 8.2: the position notional, at the mid, of the cohorts still waiting to be liquidated at a step's end.</summary>
    private double QueuedNotional(int step)
    {
        if (_l.OracleDelay == 0) CopyMidToOracle();
        int count = ScanCandidates(step, stopAtFirst: false);
        double queued = 0;
        for (int i = 0; i < _n; i++) A(PathState.Queued, i) = 0;
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RoundList, k);
            double s = ScaleOf(c);
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double notional = Math.Abs(s * Pd(_l.PositionUnits, p)) * A(PathState.Mid, a);
                queued += notional;
                A(PathState.Queued, a) += notional; // per asset, for the record (docs/model.md section 8.5)
            }
        }
        for (int i = 0; i < _n; i++) A(PathState.Queued, i) *= _bookMultiplier;
        return queued * _bookMultiplier;
    }


    /// <summary>The round's flows in units per asset, summed over the round list in its order.</summary>
    private void SumRoundFlows(int count)
    {
        for (int i = 0; i < _n; i++) A(PathState.FlowUnits, i) = 0;
        for (int idx = 0; idx < count; idx++)
        {
            int c = CohortInt(PathState.RoundList, idx);
            double fraction = CohortReal(PathState.Fraction, c);
            double fs = fraction * ScaleOf(c);
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                A(PathState.FlowUnits, Pi(_l.PositionAsset, p)) -= fs * Pd(_l.PositionUnits, p);
            double fk = fraction * CollateralScaleOf(c);
            for (int j = Pi(_l.CollateralStart, c); j < Pi(_l.CollateralStart, c + 1); j++)
                A(PathState.FlowUnits, Pi(_l.CollateralAsset, j)) -= fk * Pd(_l.CollateralUnits, j);
        }
        // A book multiplier r scales every cohort's positions and collateral alike (docs/model.md section 8.4): the cohorts are
        // simulated per unit of r (their margins are homogeneous in it) and what reaches the market or the fund is r x.
        if (_l.Uncertain != 0)
            for (int i = 0; i < _n; i++) A(PathState.FlowUnits, i) *= _bookMultiplier;
    }

    /// <summary>
    /// Shell sort (no recursion, no scratch) of the first <paramref name="count"/> cohorts of a cohort list: the round
    /// list into cohort order (any order in gives the same list), or with <paramref name="byRank"/> the rank list by
    /// (rank, cohort index).
    /// </summary>
    private readonly void SortCohortList(int list, int count, bool byRank)
    {
        int gap = 1;
        while (gap < count / 3) gap = 3 * gap + 1;
        for (; gap >= 1; gap /= 3)
        {
            for (int k = gap; k < count; k++)
            {
                int c = CohortInt(list, k);
                double key = byRank ? CohortReal(PathState.Rank, c) : 0;
                int j = k;
                while (j >= gap)
                {
                    int other = CohortInt(list, j - gap);
                    if (byRank)
                    {
                        double otherKey = CohortReal(PathState.Rank, other);
                        if (otherKey < key || (otherKey == key && other < c)) break;
                    }
                    else if (other < c) break;
                    CohortInt(list, j) = other;
                    j -= gap;
                }
                CohortInt(list, j) = c;
            }
        }
    }

    /// <summary>
    /// Lists the cohorts to liquidate at the current oracle prices in the round list with their fractions: cohorts this
    /// path has touched, and in each screening group (long books, short books, mixed) the prefix of untouched cohorts
    /// whose slack the prices' largest relative fall, rise or move (and the dynamic margins' rise above their floors)
    /// can have used up (docs/model.md, "Screening"). With <paramref name="stopAtFirst"/>, stops at the first.
    /// </summary>
    private int ScanCandidates(int step, bool stopAtFirst)
    {
        int count = 0;
        if (_l.Screen == 0)
        {
            for (int c = 0; c < _cohorts; c++)
                if (Consider(c, step, ref count) && stopAtFirst) return count;
            return count;
        }
        for (int t = 0; t < _touchedCount; t++)
            if (Consider(CohortInt(PathState.TouchedList, t), step, ref count) && stopAtFirst) return count;
        TD pd = _pd;
        TI pi = _pi;
        TSD st = _m.Reals;
        int n = _n, oracles = PathState.Oracle * n, rates = PathState.Rate * n, thresholds = _l.ThresholdSlot;
        int inverse = _l.InversePrice0, kinds = _l.MarginKind, floors = _l.MarginFloor;
        double exposure = _l.DynamicExposure, epsilon = _l.ScreenEpsilon;
        if (_l.ScreenMultiAsset != 0)
        {
            double fall = 0, rise = 0, dynamicExcess = 0;
            for (int a = 0; a < n; a++)
            {
                double r = st[oracles + a] * pd[inverse + a] - 1.0;
                if (-r > fall) fall = -r;
                if (r > rise) rise = r;
                if (pi[kinds + a] == (int)MarginKind.Dynamic)
                    dynamicExcess = Math.Max(dynamicExcess, st[rates + a] - pd[floors + a]);
            }
            double delta = Math.Max(fall, rise);
            // Cohorts over several assets: long books (group 0) only fear falls, short books (1) only rises, mixed ones (2) either.
            for (int group = 0; group < 3; group++)
            {
                double move = group == 0 ? fall : group == 1 ? rise : delta;
                double bound = move + dynamicExcess * (1.0 + delta) * exposure + epsilon;
                if (st[thresholds + group] <= bound && ScanGroup(group, bound, step, stopAtFirst, ref count)) return count;
            }
        }
        // Cohorts wholly in one asset: that asset's own fall (long) or rise (short). Most rounds end here with two
        // comparisons per asset: each group's first open cohort is out of reach.
        for (int a = 0; a < n; a++)
        {
            double r = st[oracles + a] * pd[inverse + a] - 1.0;
            double assetFall = -r > 0 ? -r : 0, assetRise = r > 0 ? r : 0;
            double dynamic = epsilon;
            if (pi[kinds + a] == (int)MarginKind.Dynamic)
                dynamic = Math.Max(0.0, st[rates + a] - pd[floors + a]) * (1.0 + Math.Max(assetFall, assetRise)) * exposure + epsilon;
            int longs = 3 + 2 * a;
            if (st[thresholds + longs] <= assetFall + dynamic && ScanGroup(longs, assetFall + dynamic, step, stopAtFirst, ref count)) return count;
            if (st[thresholds + longs + 1] <= assetRise + dynamic && ScanGroup(longs + 1, assetRise + dynamic, step, stopAtFirst, ref count)) return count;
        }
        return count;
    }

    /// <summary>
    /// Considers the untouched cohorts of screening group <paramref name="group"/> whose slack is within
    /// <paramref name="bound"/>; true when <paramref name="stopAtFirst"/> and one was added. Closed cohorts never reopen,
    /// so the group's closed prefix is skipped for good: its cursor and threshold (the slack of its first open cohort)
    /// move past it.
    /// </summary>
    private bool ScanGroup(int group, double bound, int step, bool stopAtFirst, ref int count)
    {
        TD pd = _pd;
        TI pi = _pi;
        int slacks = _l.ScreenSlack, order = _l.ScreenOrder;
        int end = pi[_l.ScreenGroupStart + group + 1];
        int cursorSlot = _l.CursorSlot + group;
        int cursor = _m.I(cursorSlot);
        for (int k = cursor; k < end && pd[slacks + k] <= bound; k++)
        {
            int c = pi[order + k];
            if (!OpenOf(c))
            {
                if (k == cursor)
                {
                    _m.I(cursorSlot) = cursor = k + 1;
                    _m.R(_l.ThresholdSlot + group) = cursor < end ? pd[slacks + cursor] : double.PositiveInfinity;
                }
                continue;
            }
            if (TouchedOf(c)) continue; // already considered with the touched list
            if (Consider(c, step, ref count) && stopAtFirst) return true;
        }
        return false;
    }

    /// <summary>Adds cohort <paramref name="c"/> to the round's list when it is to be liquidated; true if added.</summary>
    private bool Consider(int c, int step, ref int count)
    {
        if (!OpenOf(c)) return false;
        double f;
        double rank = double.NegativeInfinity; // forced closes first (docs/model.md section 8.2)
        if (ForcedOf(c)) f = 1.0;
        else
        {
            if (_l.Tranche < 1.0 && PartialStepOf(c) == step) return false;
            _marginChecks++;
            if (!(ExcessParts(c, out double equity, out double requirement) < 0)) return false;
            f = _l.Tranche;
            if (requirement > 0) rank = equity / requirement;
        }
        CohortReal(PathState.Fraction, c) = f;
        if (_l.Capacity != 0) CohortReal(PathState.Rank, c) = rank;
        CohortInt(PathState.RoundList, count) = c;
        count++;
        return true;
    }

    /// <summary>docs/model.md section 3: executes each asset's net flow, valued at the mid before the round's impact.</summary>
    private void Execute(int step)
    {
        TP real = default;
        for (int i = 0; i < _n; i++)
        {
            // The effective depth of this round (docs/model.md sections 8.1, 8.4): D u g, with g set at the round's start.
            double depth = _depthMultiplier;
            if (_l.Liquidity != 0)
            {
                depth *= DepthFactor(i);
                if (depth < A(PathState.MinDepthFactor, i)) A(PathState.MinDepthFactor, i) = depth;
                if (depth < A(PathState.StepDepthFactor, i)) A(PathState.StepDepthFactor, i) = depth;
            }
            double units = A(PathState.FlowUnits, i);
            double mid = A(PathState.Mid, i);
            if (units == 0)
            {
                A(PathState.Execution, i) = mid;
                continue;
            }
            double flow = units * mid;
            double scale = Pd(_l.ImpactScale, i);
            double delta;
            bool adjusted = _l.Uncertain != 0 || _l.Liquidity != 0;
            if (Pi(_l.ImpactKind, i) == (int)ImpactKind.Linear)
            {
                if (adjusted) scale /= depth; // 0.01 / (D u g)
                delta = scale * flow;
                A(PathState.Execution, i) = real.Hold(mid * Math.Exp(Pd(_l.ExecutionEta, i) * delta));
            }
            else
            {
                // Square root on the step's cumulative flow (docs/model.md section 3): the round moves the price by I(C + Q) - I(C), so
                // splitting a flow into rounds or cohorts does not change the step's move; the fills execute at the
                // average impact over the chunk, (F(C + Q) - F(C)) / Q with F(x) = (2/3) c |x|^(3/2), relative to I(C).
                if (adjusted) scale *= _volatilityMultiplier / Math.Sqrt(depth); // Y (sigma w) / sqrt(V u g)
                double before = A(PathState.ImpactMemory, i);
                double after = real.Hold(before + flow);
                double impactBefore = SignedRoot(before) * scale, impactAfter = SignedRoot(after) * scale;
                delta = real.Hold(impactAfter - impactBefore);
                double average = 2.0 / 3.0 * scale * (Math.Abs(after) * Math.Sqrt(Math.Abs(after)) - Math.Abs(before) * Math.Sqrt(Math.Abs(before))) / flow;
                A(PathState.Execution, i) = real.Hold(mid * Math.Exp(real.Hold(average - impactBefore)));
                A(PathState.ImpactMemory, i) = after;
            }
            double permanent = Pd(_l.PermanentShare, i) * delta;
            A(PathState.X, i) = real.Hold(A(PathState.X, i) + permanent);
            A(PathState.Y, i) = real.Hold(A(PathState.Y, i) + (delta - permanent));
            A(PathState.Displacement, i) = real.Hold(A(PathState.Displacement, i) + delta);
            double next = real.Exp(real.Hold(A(PathState.X, i) + A(PathState.Y, i)));
            A(PathState.Mid, i) = next;
            if (!Representable(next)) Fail(PathOutput.FlowFailureFlag, step, i, flow);
            // Market makers withdraw after toxic flow: the pressure grows by the flow over the scenario's depth.
            if (_l.Liquidity != 0) A(PathState.Withdrawal, i) = real.Hold(A(PathState.Withdrawal, i) + Math.Abs(flow) * Pd(_l.WithdrawalPerUsd, i));
        }
    }

    /// <summary>docs/model.md section 8.1: g = (sref^2 / max(v, sref^2))^(kappa / 2) / (1 + phi A), at most 1.</summary>
    private readonly double DepthFactor(int i)
    {
        double g = 1.0;
        double halfKappa = Pd(_l.HalfElasticity, i);
        if (halfKappa > 0)
        {
            double reference = Pd(_l.ReferenceVariance, i);
            g = Math.Pow(reference / Math.Max(A(PathState.RealisedVariance, i), reference), halfKappa);
        }
        double phi = Pd(_l.FlowWithdrawal, i);
        return phi > 0 ? g / (1.0 + phi * A(PathState.Withdrawal, i)) : g;
    }

    /// <summary>docs/model.md section 8.1 at a step's start, before its exogenous move: the withdrawal pressure recovers, the mid the
    /// step's return starts from is kept, and the depth factor is tracked.</summary>
    private readonly void StepStartLiquidity()
    {
        TP real = default;
        for (int i = 0; i < _n; i++)
        {
            A(PathState.Withdrawal, i) = real.Hold(A(PathState.Withdrawal, i) * Pd(_l.RecoveryDecay, i));
            A(PathState.StepStartMid, i) = A(PathState.Mid, i);
            double depth = _depthMultiplier * DepthFactor(i);
            if (depth < A(PathState.MinDepthFactor, i)) A(PathState.MinDepthFactor, i) = depth;
            A(PathState.StepDepthFactor, i) = depth; // the step's lowest, for its record (docs/model.md section 8.5)
        }
    }

    /// <summary>docs/model.md section 8.1 at a step's end: the EWMA of the traded mid's realised variance takes the step's return
    /// (exogenous move and impact together).</summary>
    private readonly void StepEndLiquidity()
    {
        TP real = default;
        for (int i = 0; i < _n; i++)
        {
            double r = Math.Log(A(PathState.Mid, i) / A(PathState.StepStartMid, i));
            double lambda = Pd(_l.StressLambda, i);
            A(PathState.RealisedVariance, i) = real.Hold(lambda * A(PathState.RealisedVariance, i) + (1.0 - lambda) * r * r / _l.Dt);
        }
    }

    /// <summary>docs/model.md section 8.4: three normals from step 0's uncertainty slot; a dispersion of 0 leaves its multiplier 1.</summary>
    private void DrawUncertainInputs(ulong path)
    {
        _depthMultiplier = 1;
        _volatilityMultiplier = 1;
        _varianceMultiplier = 1;
        _bookMultiplier = 1;
        if (_l.Uncertain == 0) return;
        RandomStreams.Words(_l.Seed, path, 0, RandomStreams.UncertaintySlot, out uint r0, out uint r1, out uint r2, out uint r3);
        RandomStreams.BoxMuller(r0, r1, out double zDepth, out double zVolatility);
        double zBook = RandomStreams.BoxMullerCosine(r2, r3);
        if (_l.DepthDispersion != 0) _depthMultiplier = Math.Exp(_l.DepthDispersion * zDepth);
        if (_l.VolatilityDispersion != 0)
        {
            _volatilityMultiplier = Math.Exp(_l.VolatilityDispersion * zVolatility);
            _varianceMultiplier = _volatilityMultiplier * _volatilityMultiplier;
        }
        if (_l.BookDispersion != 0) _bookMultiplier = Math.Exp(_l.BookDispersion * zBook);
    }

    /// <summary>sign(x) sqrt(|x|).</summary>
    private static double SignedRoot(double x) => x < 0 ? -Math.Sqrt(-x) : Math.Sqrt(x);

    /// <summary>docs/model.md section 5, items 4-5: settles the round's liquidations at execution prices, then the insurance fund.</summary>
    private double Settle(int count, int step, ref double fund, ref double badDebt, ref double paid,
        ref double uncovered, ref double penalties)
    {
        double roundPenalties = 0, roundBadDebt = 0;
        for (int idx = 0; idx < count; idx++)
        {
            int c = CohortInt(PathState.RoundList, idx);
            Materialize(c);
            double f = CohortReal(PathState.Fraction, c);
            double s = CohortReal(PathState.Scale, c), k = CohortReal(PathState.CollateralScale, c);
            double positionValue = 0, grossNotional = 0;
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double q = Pd(_l.PositionUnits, p);
                double px = A(PathState.Execution, a);
                positionValue += q * px;
                double notional = Math.Abs(q) * px;
                grossNotional += notional;
                A(PathState.Liquidated, a) += f * s * notional * _bookMultiplier; // x 1 exactly without uncertainty
                A(PathState.ClosedUnits, a) += f * s * Math.Abs(q);
            }
            double closedNotional = f * s * grossNotional;
            CohortReal(PathState.LiquidatedNotional, c) += closedNotional * _bookMultiplier;
            double collateralValue = 0, weightedCollateral = 0;
            for (int j = Pi(_l.CollateralStart, c); j < Pi(_l.CollateralStart, c + 1); j++)
            {
                int a = Pi(_l.CollateralAsset, j);
                double v = Pd(_l.CollateralUnits, j) * A(PathState.Execution, a);
                collateralValue += v;
                weightedCollateral += Pd(_l.CollateralWeight, a) * v;
            }
            double entryValue = Pd(_l.EntryValue, c);
            double b = CohortReal(PathState.Balance, c) + f * s * (positionValue - entryValue) + f * k * collateralValue;
            s *= 1.0 - f;
            k *= 1.0 - f;
            CohortReal(PathState.Scale, c) = s;
            CohortReal(PathState.CollateralScale, c) = k;
            double equityAfter = b + k * weightedCollateral + s * (positionValue - entryValue);
            double penalty = Math.Min(_l.Penalty * closedNotional, Math.Max(equityAfter, 0.0));
            b -= penalty;
            roundPenalties += penalty * _bookMultiplier;
            if (f >= 1.0)
            {
                // Closed: negative equity is bad debt; positive equity leaves with the traders.
                if (b < 0)
                {
                    roundBadDebt -= b * _bookMultiplier;
                    CohortReal(PathState.BadDebt, c) = -b * _bookMultiplier;
                }
                CohortReal(PathState.Balance, c) = 0;
                CohortInt(PathState.Open, c) = 0;
                CohortInt(PathState.ForceClose, c) = 0;
            }
            else
            {
                CohortReal(PathState.Balance, c) = b;
                CohortInt(PathState.PartialStep, c) = step;
                Touch(c); // its state left the start: the screen's bound no longer applies
                double remaining = s * grossNotional;
                if (equityAfter - penalty <= 0 || remaining < _l.DustPerAccount * Pd(_l.Accounts, c))
                    CohortInt(PathState.ForceClose, c) = 1; // closed entirely at the next round's prices
            }
        }
        fund += roundPenalties;
        double pay = Math.Min(fund, roundBadDebt);
        fund -= pay;
        penalties += roundPenalties;
        badDebt += roundBadDebt;
        paid += pay;
        uncovered += roundBadDebt - pay;
        return roundBadDebt - pay;
    }

    /// <summary>
    /// docs/model.md section 8.3: with ADL on, the round's uncovered loss <paramref name="loss"/> is absorbed by open cohorts that are
    /// neither liquidatable nor awaiting a forced close and have unrealised profit P at oracle prices, highest score
    /// (P / max(K, eps N)) (N / max(E, eps N)) first, ties by index: each gives up a = min(P, loss), a fraction a / P of its
    /// positions closed off-book at entry (no flow, no realised P&amp;L), its equity falling by exactly a. Returns what is
    /// left uncovered.
    /// </summary>
    private double Allocate(double loss, ref double absorbed, ref double closedNotional)
    {
        if (_l.Adl == 0 || !(loss > 0)) return loss;
        const double eps = 1e-12;
        while (loss > 0)
        {
            int best = -1;
            double bestScore = 0, bestProfit = 0, bestGross = 0;
            for (int c = 0; c < _cohorts; c++)
            {
                if (!OpenOf(c) || ForcedOf(c)) continue;
                double s = ScaleOf(c);
                if (!(s > 0)) continue;
                double value = 0, gross = 0;
                for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                {
                    double q = Pd(_l.PositionUnits, p), o = A(PathState.Oracle, Pi(_l.PositionAsset, p));
                    value += q * o;
                    gross += Math.Abs(q) * o;
                }
                double profit = s * (value - Pd(_l.EntryValue, c));
                if (!(profit > 0) || Excess(c) < 0) continue;
                double collateral = BalanceOf(c);
                for (int j = Pi(_l.CollateralStart, c); j < Pi(_l.CollateralStart, c + 1); j++)
                {
                    int a = Pi(_l.CollateralAsset, j);
                    collateral += CollateralScaleOf(c) * Pd(_l.CollateralWeight, a) * Pd(_l.CollateralUnits, j) * A(PathState.Oracle, a);
                }
                double notional = s * gross, equity = collateral + profit;
                double score = profit / Math.Max(collateral, eps * notional) * (notional / Math.Max(equity, eps * notional));
                if (score > bestScore)
                {
                    best = c;
                    bestScore = score;
                    bestProfit = profit;
                    bestGross = 0;
                    for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                        bestGross += Math.Abs(Pd(_l.PositionUnits, p)) * A(PathState.Mid, Pi(_l.PositionAsset, p));
                }
            }
            if (best < 0) break;
            double profitMoney = bestProfit * _bookMultiplier;
            double take = Math.Min(profitMoney, loss);
            double phi = take / profitMoney;
            Materialize(best);
            double scale = CohortReal(PathState.Scale, best);
            closedNotional += phi * scale * bestGross * _bookMultiplier;
            double remaining = take < profitMoney ? scale * (1.0 - phi) : 0.0;
            CohortReal(PathState.Scale, best) = remaining;
            if (remaining <= 0)
            {
                // Every position given up: the cohort is closed and its balance leaves with the traders.
                CohortReal(PathState.Balance, best) = 0;
                CohortReal(PathState.CollateralScale, best) = 0;
                CohortInt(PathState.Open, best) = 0;
            }
            else Touch(best);
            absorbed += take;
            loss -= take;
        }
        return loss > 0 ? loss : 0;
    }

    /// <summary>Marks a cohort whose state left its start for the screen (docs/model.md, "Screening").</summary>
    private void Touch(int c)
    {
        if (Pi(_l.Screenable, c) == 0 || CohortInt(PathState.Touched, c) != 0) return;
        CohortInt(PathState.Touched, c) = 1;
        CohortInt(PathState.TouchedList, _touchedCount) = c;
        _touchedCount++;
    }
}
