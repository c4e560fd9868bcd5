using System.Runtime.CompilerServices;

namespace GpuCascade.Market;

/// <summary>
/// The engine's random numbers, keyed by logical coordinates only (docs/model.md section 1): key = (seed low, seed high),
/// counter = (path low, path high, step, slot). Each quantity of a step owns a slot range, so rejection sampling in
/// one never shifts the numbers of another. Every backend must reproduce these exactly.
/// </summary>
public static class RandomStreams
{
    /// <summary>Slots 0 .. ceil(N/4)-1: the step's N standard normals, four per slot (two Box-Muller pairs).</summary>
    public const uint NormalSlotBase = 0x0000_0000;
    /// <summary>Slots 0x40000000 + attempt: Marsaglia-Tsang attempts for the chi-square variable of Student-t shocks.</summary>
    public const uint ChiSquareSlotBase = 0x4000_0000;
    /// <summary>Slot of the jump test uniform.</summary>
    public const uint JumpTestSlot = 0x8000_0000;
    /// <summary>Slot of the jump size normal.</summary>
    public const uint JumpSizeSlot = 0x8000_0001;
    /// <summary>Slot of step 0 of the uncertain inputs' three normals (docs/model.md section 8.4): depth, volatility, book.</summary>
    public const uint UncertaintySlot = 0x8000_0002;
    /// <summary>Slots 0x81000000 + 0x10000 j + k: the noise of oracle feed j (j &lt; 32) for assets 4k .. 4k+3, four per slot
    /// as the step's normals (docs/model.md section 8.10).</summary>
    public const uint OracleNoiseSlotBase = 0x8100_0000;
    /// <summary>Slot of a historical block's start (docs/model.md section 2, "Historical shocks"): drawn at the block's
    /// first step; slots above it stay free.</summary>
    public const uint HistoricalSlotBase = 0xC000_0000;
    /// <summary>Attempts after which the chi-square sampler gives up and returns its mean (probability below 1e-80).</summary>
    public const int ChiSquareMaxAttempts = 64;

    private const double TwoPow32Inv = 1.0 / 4294967296.0;
    private const double TwoPi = 6.283185307179586476925286766559;

    /// <summary>Uniform on (0, 1): (u + 0.5) 2^-32, never 0 or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Uniform(uint u) => (u + 0.5) * TwoPow32Inv;

    /// <summary>Four words of the stream at (path, step, slot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Words(ulong seed, ulong path, uint step, uint slot,
        out uint r0, out uint r1, out uint r2, out uint r3) =>
        Philox4x32.Generate((uint)path, (uint)(path >> 32), step, slot, (uint)seed, (uint)(seed >> 32),
            out r0, out r1, out r2, out r3);

    /// <summary>Box-Muller: r = sqrt(-2 ln u1), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BoxMuller(uint a, uint b, out double z0, out double z1)
    {
        double r = Math.Sqrt(-2.0 * Math.Log(Uniform(a)));
        double theta = TwoPi * Uniform(b);
        z0 = r * Math.Cos(theta);
        z1 = r * Math.Sin(theta);
    }

    /// <summary>The cosine branch of Box-Muller alone, r cos(2 pi u2): the same number as <see cref="BoxMuller"/>'s z0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double BoxMullerCosine(uint a, uint b) => Math.Sqrt(-2.0 * Math.Log(Uniform(a))) * Math.Cos(TwoPi * Uniform(b));

    /// <summary>Fills <paramref name="z"/> with the step's standard normals (slot k gives z[4k..4k+3]).</summary>
    public static void StepNormals(ulong seed, ulong path, uint step, Span<double> z)
    {
        int n = z.Length;
        for (int k = 0; 4 * k < n; k++)
        {
            Words(seed, path, step, NormalSlotBase + (uint)k, out uint r0, out uint r1, out uint r2, out uint r3);
            int i = 4 * k;
            // Only the normals the step uses: a last slot with fewer than four skips what it does not need.
            if (i + 1 < n)
            {
                BoxMuller(r0, r1, out z[i], out z[i + 1]);
            }
            else
            {
                z[i] = BoxMullerCosine(r0, r1);
            }
            if (i + 3 < n)
            {
                BoxMuller(r2, r3, out z[i + 2], out z[i + 3]);
            }
            else if (i + 2 < n)
            {
                z[i + 2] = BoxMullerCosine(r2, r3);
            }
        }
    }

    /// <summary>
    /// Chi-square with <paramref name="dof"/> degrees of freedom (= 2 Gamma(dof/2)) by Marsaglia-Tsang, shape dof/2 &gt; 1.
    /// Attempt j uses slot ChiSquareSlotBase + j: words 0-1 give the normal (Box-Muller cosine branch), word 2 the test uniform.
    /// </summary>
    public static double ChiSquare(ulong seed, ulong path, uint step, double dof)
    {
        double d = dof / 2.0 - 1.0 / 3.0;
        double c = 1.0 / Math.Sqrt(9.0 * d);
        for (int attempt = 0; attempt < ChiSquareMaxAttempts; attempt++)
        {
            Words(seed, path, step, ChiSquareSlotBase + (uint)attempt, out uint r0, out uint r1, out uint r2, out _);
            double x = BoxMullerCosine(r0, r1);
            double t = 1.0 + c * x;
            if (t <= 0.0) continue;
            double v = t * t * t;
            double u = Uniform(r2);
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return 2.0 * d * v;
        }
        return dof;
    }

    /// <summary>The jump test uniform of a step.</summary>
    public static double JumpUniform(ulong seed, ulong path, uint step)
    {
        Words(seed, path, step, JumpTestSlot, out uint r0, out _, out _, out _);
        return Uniform(r0);
    }

    /// <summary>The standard normal of a step's jump size (Box-Muller cosine branch).</summary>
    public static double JumpNormal(ulong seed, ulong path, uint step)
    {
        Words(seed, path, step, JumpSizeSlot, out uint r0, out uint r1, out _, out _);
        return BoxMullerCosine(r0, r1);
    }

    /// <summary>The history row (0 .. <paramref name="rows"/> - 1) where the block that starts at step
    /// <paramref name="blockStep"/> begins: word 0 of the historical slot, scaled to the rows by a multiply and a shift
    /// (Lemire's), so every row is drawn with probability 1/rows to within rows / 2^32.</summary>
    public static int HistoricalBlockStart(ulong seed, ulong path, uint blockStep, int rows)
    {
        Words(seed, path, blockStep, HistoricalSlotBase, out uint r0, out _, out _, out _);
        return (int)(((ulong)r0 * (ulong)rows) >> 32);
    }
}
