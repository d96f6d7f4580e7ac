using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Torchlet;

// The mt19937 engine every random kernel draws from. It sits with the kernels, below Ops: Kernels/Random.cs
// and the random ops in Ops/Random.cs both consume its draws. Nested in torch for the public name torch.Generator.
public static partial class torch
{
    /// <summary>
    /// A source of random numbers (<c>torch.Generator</c>): PyTorch's CPU generator, an mt19937
    /// engine plus the cached second Box–Muller sample. Thread-safe; each op holds its lock while drawing.
    /// </summary>
    public sealed class Generator
    {
        const int N = 624, M = 397;
        const int StateBytes = 5056; // sizeof(at::detail::CPUGeneratorImplState)

        internal readonly Lock Sync = new();
        readonly uint[] _mt = new uint[N];
        int _left, _next;
        ulong _seed;
        double? _nextDoubleNormal;
        float? _nextFloatNormal; // PyTorch keeps it in the state; no CPU kernel of ours draws it

        /// <summary>A generator seeded with <paramref name="seed"/> (PyTorch's default 67280421310721).</summary>
        public Generator(long seed = 67280421310721) => Reseed(unchecked((ulong)seed));

        public string device => "cpu";

        /// <summary>Reseeds; also forgets the cached normal sample, as PyTorch does.</summary>
        public Generator manual_seed(long seed)
        {
            lock (Sync) Reseed(unchecked((ulong)seed));
            return this;
        }

        /// <summary>The seed this generator was last seeded with.</summary>
        public long initial_seed()
        {
            lock (Sync) return unchecked((long)_seed);
        }

        /// <summary>Reseeds from a non-deterministic 53-bit source (as c10's getNonDeterministicRandom) and returns the seed.</summary>
        public long seed()
        {
            long s = NonDeterministicSeed();
            manual_seed(s);
            return s;
        }

        internal static long NonDeterministicSeed() =>
            (long)(BinaryPrimitives.ReadUInt64LittleEndian(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) & 0x1F_FFFF_FFFF_FFFF);

        void Reseed(ulong seed)
        {
            _seed = seed;
            _mt[0] = (uint)seed;
            for (int j = 1; j < N; j++) _mt[j] = 1812433253u * (_mt[j - 1] ^ (_mt[j - 1] >> 30)) + (uint)j;
            _left = 1;
            _next = 0;
            _nextDoubleNormal = null;
            _nextFloatNormal = null;
        }

        /// <summary>
        /// The state as PyTorch's <c>get_rng_state()</c> bytes (CPUGeneratorImplState, 5056 bytes), so a
        /// state saved by either library restores in the other.
        /// </summary>
        public Tensor get_state()
        {
            var b = new byte[StateBytes];
            lock (Sync)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0), _seed);
                BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), _left);
                BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(12), 1);
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), (ulong)_next);
                for (int j = 0; j < N; j++) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24 + 8 * j), _mt[j]);
                BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(5024), _nextDoubleNormal ?? 0.0);
                BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(5040), _nextDoubleNormal.HasValue ? 1 : 0);
                BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(5048), _nextFloatNormal ?? 0f);
                b[5052] = _nextFloatNormal.HasValue ? (byte)1 : (byte)0;
            }
            return torch.tensor(b);
        }

        /// <summary>Restores a state from <see cref="get_state"/> (or PyTorch's <c>get_rng_state()</c>).</summary>
        public Generator set_state(Tensor new_state)
        {
            if (new_state.dtype != ScalarType.Byte)
                throw new ArgumentException($"RNG state must be a torch.ByteTensor (dtype torch.uint8), got {new_state.dtype.TorchName()}");
            if (new_state.Numel != StateBytes)
                throw new ArgumentException($"Expected a CPUGeneratorImplState of size {StateBytes} but found the input RNG state size to be {new_state.Numel}");
            var b = new_state.contiguous_nograd().Span<byte>();
            int left = BinaryPrimitives.ReadInt32LittleEndian(b[8..]);
            int seeded = BinaryPrimitives.ReadInt32LittleEndian(b[12..]) & 0xFF; // a C++ bool in an int slot
            ulong next = BinaryPrimitives.ReadUInt64LittleEndian(b[16..]);
            if (seeded == 0 || left <= 0 || left > N || (uint)next > N)
                throw new ArgumentException($"Invalid mt19937 state (seeded={seeded}, left={left}, next={(uint)next}; expected seeded, 0 < left <= {N}, next <= {N})");
            lock (Sync)
            {
                _seed = BinaryPrimitives.ReadUInt64LittleEndian(b);
                _left = left;
                _next = (int)(uint)next;
                for (int j = 0; j < N; j++) _mt[j] = (uint)BinaryPrimitives.ReadUInt64LittleEndian(b[(24 + 8 * j)..]);
                _nextDoubleNormal = BinaryPrimitives.ReadInt32LittleEndian(b[5040..]) != 0 ? BinaryPrimitives.ReadDoubleLittleEndian(b[5024..]) : null;
                _nextFloatNormal = b[5052] != 0 ? BinaryPrimitives.ReadSingleLittleEndian(b[5048..]) : null;
            }
            return this;
        }

        // ------------------------------------------------------------ draws (caller holds Sync)

        /// <summary>One 32-bit draw (CPUGeneratorImpl::random).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal uint Random()
        {
            if (--_left == 0) NextState();
            uint y = _mt[_next++];
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680;
            y ^= (y << 15) & 0xefc60000;
            y ^= y >> 18;
            return y;
        }

        /// <summary>Two draws, the first as the high word (CPUGeneratorImpl::random64).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal ulong Random64()
        {
            ulong hi = Random();
            return (hi << 32) | Random();
        }

        /// <summary>Fills <paramref name="dst"/> with consecutive 32-bit draws (the same stream as repeated Random()).</summary>
        internal void Fill32(Span<uint> dst)
        {
            var s = _mt;
            int i = 0;
            while (i < dst.Length)
            {
                if (_left == 1) { dst[i++] = Random(); continue; }
                // _left - 1 draws are available before the next refill.
                int k = Math.Min(dst.Length - i, _left - 1), next = _next;
                for (int j = 0; j < k; j++)
                {
                    uint y = s[next + j];
                    y ^= y >> 11;
                    y ^= (y << 7) & 0x9d2c5680;
                    y ^= (y << 15) & 0xefc60000;
                    dst[i + j] = y ^ (y >> 18);
                }
                _next += k;
                _left -= k;
                i += k;
            }
        }

        /// <summary>Fills float32 values x·range + from (fused), x = 24 bits of each draw / 2^24.</summary>
        internal void UniformFloats(Span<float> dst, float from, float range)
        {
            Span<uint> buf = stackalloc uint[Chunk];
            for (int i = 0; i < dst.Length; i += Chunk)
            {
                var d = dst.Slice(i, Math.Min(Chunk, dst.Length - i));
                var b = buf[..d.Length];
                Fill32(b);
                for (int j = 0; j < d.Length; j++) d[j] = MathF.FusedMultiplyAdd((b[j] & 0xFFFFFF) * (1f / 16777216f), range, from);
            }
        }

        /// <summary>Fills float64 values x·range + from (fused), x = 53 bits of each 64-bit draw / 2^53.</summary>
        internal void UniformDoubles(Span<double> dst, double from, double range)
        {
            Span<uint> buf = stackalloc uint[Chunk];
            for (int i = 0; i < dst.Length; i += Chunk / 2)
            {
                var d = dst.Slice(i, Math.Min(Chunk / 2, dst.Length - i));
                var b = buf[..(2 * d.Length)];
                Fill32(b);
                for (int j = 0; j < d.Length; j++)
                {
                    ulong r = ((ulong)b[2 * j] << 32) | b[2 * j + 1];
                    d[j] = Math.FusedMultiplyAdd((r & 0x1F_FFFF_FFFF_FFFF) * (1.0 / 9007199254740992.0), range, from);
                }
            }
        }

        /// <summary>Fills (draw % range) + from per element, with 32- or 64-bit draws (uniform_int_from_to_distribution).</summary>
        internal void IntsFromTo(Span<long> dst, ulong range, ulong from, bool wide)
        {
            Span<uint> buf = stackalloc uint[Chunk];
            int per = wide ? Chunk / 2 : Chunk;
            for (int i = 0; i < dst.Length; i += per)
            {
                var d = dst.Slice(i, Math.Min(per, dst.Length - i));
                var b = buf[..(wide ? 2 * d.Length : d.Length)];
                Fill32(b);
                if (wide)
                    for (int j = 0; j < d.Length; j++) d[j] = unchecked((long)((((ulong)b[2 * j] << 32) | b[2 * j + 1]) % range + from));
                else
                    for (int j = 0; j < d.Length; j++) d[j] = unchecked((long)(b[j] % range + from));
            }
        }

        const int Chunk = 512;

        void NextState()
        {
            var s = _mt;
            _left = N;
            _next = 0;
            int p = 0;
            for (; p < N - M; p++) s[p] = s[p + M] ^ Twist(s[p], s[p + 1]);
            for (; p < N - 1; p++) s[p] = s[p + M - N] ^ Twist(s[p], s[p + 1]);
            s[N - 1] = s[M - 1] ^ Twist(s[N - 1], s[0]);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static uint Twist(uint u, uint v) => ((u & 0x80000000u) | (v & 0x7fffffffu)) >> 1 ^ ((v & 1) != 0 ? 0x9908b0dfu : 0u);

        /// <summary>uniform_real_distribution&lt;float&gt;(0, 1): 24 bits of one draw.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal float Uniform24() => (Random() & 0xFFFFFF) * (1f / 16777216f);

        /// <summary>uniform_real_distribution&lt;double&gt;(0, 1): 53 bits of a 64-bit draw.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal double Uniform53() => (Random64() & 0x1F_FFFF_FFFF_FFFF) * (1.0 / 9007199254740992.0);

        /// <summary>
        /// normal_distribution&lt;double&gt;: Box–Muller on two 53-bit uniforms, returning r·cos θ and
        /// caching r·sin θ for the next call. The final <c>val·std + mean</c> is fused as GCC compiles it.
        /// </summary>
        internal double Normal(double mean, double std)
        {
            double ret;
            if (_nextDoubleNormal is double cached)
            {
                _nextDoubleNormal = null;
                ret = cached;
            }
            else
            {
                double u1 = Uniform53(), u2 = Uniform53();
                double r = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
                double theta = 2.0 * Math.PI * u1;
                _nextDoubleNormal = r * Math.Sin(theta);
                ret = r * Math.Cos(theta);
            }
            return Math.FusedMultiplyAdd(ret, std, mean);
        }
    }
}
