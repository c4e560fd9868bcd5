using GpuCascade.Market;

namespace GpuCascade.Tests.Market;

public class PhiloxTests
{
    // Random123 kat_vectors, philox4x32 with R = 10 (docs/model.md section 1).
    [TestCase(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
              0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [TestCase(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
              0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [TestCase(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u,
              0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        Philox4x32.Generate(c0, c1, c2, c3, k0, k1, out uint r0, out uint r1, out uint r2, out uint r3);
        Assert.That(new[] { r0, r1, r2, r3 }, Is.EqualTo(new[] { e0, e1, e2, e3 }));
    }

    [Test]
    public void StreamsAreKeyedBySeedPathStepAndSlot()
    {
        // Counter = (path lo, path hi, step, slot), key = (seed lo, seed hi): check the wiring against the raw generator.
        ulong seed = 0x0123456789abcdefUL, path = 0xfedcba9876543210UL;
        RandomStreams.Words(seed, path, 7, 3, out uint a0, out uint a1, out uint a2, out uint a3);
        Philox4x32.Generate(0x76543210u, 0xfedcba98u, 7, 3, 0x89abcdefu, 0x01234567u, out uint b0, out uint b1, out uint b2, out uint b3);
        Assert.That(new[] { a0, a1, a2, a3 }, Is.EqualTo(new[] { b0, b1, b2, b3 }));
    }

    [Test]
    public void UniformsStayInsideTheOpenInterval()
    {
        Assert.That(RandomStreams.Uniform(0), Is.EqualTo(0.5 / 4294967296.0));
        Assert.That(RandomStreams.Uniform(uint.MaxValue), Is.LessThan(1.0));
    }

    [Test]
    public void NormalsHaveUnitMomentsAndNoSerialCorrelation()
    {
        const int paths = 50_000;
        var z = new double[5];
        double sum = 0, sumSq = 0, sum4 = 0, cross = 0;
        long n = 0;
        for (ulong p = 0; p < paths; p++)
        {
            RandomStreams.StepNormals(42, p, 3, z);
            for (int i = 0; i < z.Length; i++)
            {
                sum += z[i]; sumSq += z[i] * z[i]; sum4 += Math.Pow(z[i], 4); n++;
                if (i > 0) cross += z[i] * z[i - 1];
            }
        }
        double mean = sum / n, variance = sumSq / n - mean * mean;
        // Standard errors: mean 1/sqrt(n), variance sqrt(2/n), fourth moment sqrt(96/n), lag product 1/sqrt(m).
        Assert.That(mean, Is.EqualTo(0).Within(4 / Math.Sqrt(n)));
        Assert.That(variance, Is.EqualTo(1).Within(4 * Math.Sqrt(2.0 / n)));
        Assert.That(sum4 / n, Is.EqualTo(3).Within(4 * Math.Sqrt(96.0 / n)));
        Assert.That(cross / (paths * 4.0), Is.EqualTo(0).Within(4 / Math.Sqrt(paths * 4.0)));
    }

    [TestCase(5.0)]
    [TestCase(12.0)]
    public void ChiSquareHasMeanDofAndVarianceTwiceDof(double dof)
    {
        const int n = 100_000;
        double sum = 0, sumSq = 0;
        for (ulong p = 0; p < n; p++)
        {
            double w = RandomStreams.ChiSquare(9, p, 0, dof);
            sum += w; sumSq += w * w;
        }
        double mean = sum / n, variance = sumSq / n - mean * mean;
        Assert.That(mean, Is.EqualTo(dof).Within(4 * Math.Sqrt(2 * dof / n)));
        // Var of the sample variance of chi-square: (mu4 - sigma^4)/n with mu4 = 12 dof (dof + 4).
        double seVariance = Math.Sqrt((12 * dof * (dof + 4) - 4 * dof * dof) / n);
        Assert.That(variance, Is.EqualTo(2 * dof).Within(4 * seVariance));
    }
}
