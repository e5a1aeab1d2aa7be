# Fashion-MNIST tinted: each object and background in a random colour (colour says nothing of the class), PNG class folders.
# With a fifth argument "by-class", each class's objects take their own hue (with noise): colour then tells the class apart.
import colorsys, gzip, struct, zlib, os, random, sys
src, out, ntrain, ntest = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
by_class = len(sys.argv) > 5 and sys.argv[5] == "by-class"
names = ["T-shirt_top","Trouser","Pullover","Dress","Coat","Sandal","Shirt","Sneaker","Bag","Ankle_boot"]
def idx(path):
    b = gzip.open(path).read(); nd = b[3]
    dims = struct.unpack('>' + 'I'*nd, b[4:4+4*nd]); return dims, b[4+4*nd:]
def png(path, w, h, rgb):
    raw = b''.join(b'\x00' + bytes(rgb[y*w*3:(y+1)*w*3]) for y in range(h))
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
rng = random.Random(1)
for split, stem, n in (("train", "train", ntrain), ("test", "t10k", ntest)):
    (N, H, W), px = idx(f"{src}/{stem}-images-idx3-ubyte.gz"); _, lb = idx(f"{src}/{stem}-labels-idx1-ubyte.gz")
    for c in names: os.makedirs(f"{out}/{split}/{c}", exist_ok=True)
    for i in range(n):
        fg = [rng.randint(96, 255) for _ in range(3)]; bg = [rng.randint(0, 80) for _ in range(3)]
        if by_class: fg = [round(255 * v) for v in colorsys.hsv_to_rgb((lb[i] / 10 + rng.uniform(-0.03, 0.03)) % 1, rng.uniform(0.6, 1), rng.uniform(0.6, 1))]
        img = px[i*H*W:(i+1)*H*W]; rgb = []
        for v in img: a = v / 255; rgb += [round(bg[k] * (1 - a) + fg[k] * a) for k in range(3)]
        png(f"{out}/{split}/{names[lb[i]]}/{i:05d}.png", W, H, rgb)
