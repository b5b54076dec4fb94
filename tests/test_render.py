import pytest
from PIL import Image

from rewritelab import RewritelabError, pytensor_rewritten, render, render_diff, to_dot
from rewritelab.see.render import picture_graph


def test_picture_graph_keeps_ops_roots_and_outputs(simple_model):
    pic = picture_graph(simple_model)
    kinds = {d["kind"] for _, d in pic.nodes(data=True)}
    assert kinds == {"apply", "root", "output"}
    labels = {d["label"] for _, d in pic.nodes(data=True)}
    assert "mu\n(value)" in labels and "x\n(observed)" in labels


def test_dot_names_every_op(simple_model):
    text = to_dot(simple_model, title="m")
    assert text.startswith("digraph G {") and text.rstrip().endswith("}")
    assert "Check{sigma > 0}" in text and "->" in text


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_render_writes_image_and_dot(tmp_path, simple_model, suffix):
    pic = render(simple_model, tmp_path / f"g{suffix}")
    assert pic.dot.read_text().startswith("digraph")
    assert pic.image.stat().st_size > 1000
    if suffix == ".png":
        w, h = Image.open(pic.image).size
        assert w > 400 and h > 200


def test_render_diff_highlights_removed_and_added(tmp_path, simple_model):
    after = pytensor_rewritten(simple_model)
    pic = render_diff(simple_model, after, tmp_path / "d.png")
    dot = pic.dot.read_text()
    assert "cluster_before" in dot and "cluster_after" in dot
    assert "#ff8c8c" in dot and "#7fdc7f" in dot
    assert pic.image.exists()


def test_render_rejects_unknown_format(tmp_path, vec):
    with pytest.raises(RewritelabError, match="must end in one of .svg"):
        render(vec + 1, tmp_path / "g.jpeg")
