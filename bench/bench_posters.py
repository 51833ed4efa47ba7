"""Benchmark of poster uploads and serving.

    python -m bench.bench_posters [--repeat 5]

Processing (calendar_app.media.images.process: decode, orientation, three sizes in WebP and JPEG) of
a phone photo at 12 MP, a designed poster at 2 MP and a small 0.3 MP image, in ms p50; the bytes
stored per poster; then `/media/posters/<name>` through the Flask test client (no network), warm
request and 304, in ms p50. Inputs are generated (gradients with noise, so they compress as photos
do); nothing is read from elsewhere.
"""
from __future__ import annotations

import argparse
import io
import os
import tempfile

from PIL import Image

from bench.common import make_app, sample, sqlite_url


def _photo(width: int, height: int) -> bytes:
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    Image.blend(gradient, noise, 0.15).save(out, "JPEG", quality=90)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from calendar_app.media import images

    print("process (decode, strip, 3 sizes x WebP+JPEG), ms p50 / stored bytes:")
    inputs = {"phone photo 4000x3000": _photo(4000, 3000), "poster 1200x1600": _photo(1200, 1600),
              "small 480x640": _photo(480, 640)}
    for name, data in inputs.items():
        stats = sample(lambda d=data: images.process(d, max_bytes=50 * 2**20), args.repeat, warmup=1)
        stored = sum(len(v) for v in images.process(data, max_bytes=50 * 2**20).files.values())
        print(f"  {name:<24} upload {len(data) / 1024:>7,.0f} KB  p50 {stats['p50']:>7.1f} ms  "
              f"stored {stored / 1024:>6,.0f} KB")

    app = make_app(sqlite_url("bench-posters"), MEDIA_ROOT=tempfile.mkdtemp(prefix="calendar-bench-media-"))
    with app.app_context():
        from calendar_app.media.services import store_poster

        key = store_poster(inputs["poster 1200x1600"])
    client = app.test_client()
    path = f"/media/posters/{key}-card.jpg"
    etag = client.get(path).headers["ETag"]
    warm = sample(lambda: client.get(path), 200)
    not_modified = sample(lambda: client.get(path, headers={"If-None-Match": etag}), 200)
    print(f"serve {path.rsplit('/', 1)[1][-13:]}: 200 p50 {warm['p50']:.2f} ms, 304 p50 {not_modified['p50']:.2f} ms")


if __name__ == "__main__":
    main()
