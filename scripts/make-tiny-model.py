#!/usr/bin/env python3
"""Writes a tiny llama-architecture GGUF model with random weights, for tests.

Runs where Debian's python3-gguf and python3-numpy are installed (the local runner's chroot).
The model writes readable gibberish fast: every code path of a client is exercised, nothing is learned.

  make-tiny-model.py OUT.gguf [--seed N] [--ctx N]
  make-tiny-model.py OUT.gguf --projector      a tiny multimodal projector for these models (llama-server --mmproj)

- tokenizer: gpt2 byte-level BPE (256 byte tokens, a few merges, ChatML control tokens); a sentencepiece
  vocabulary makes grammar-constrained (JSON) requests fail with "Failed to initialize samplers"
- chat template: ChatML
- one embedding dimension is constant, and the output layer reads it to favour printable ASCII
- the projector: Gemma 3's kind (a SigLIP-style vision encoder of one block, its patches projected onto the language
  model's embedding), 64 x 64 pixel input in 4 x 4 patches, random weights: an image becomes prompt tokens
"""
import argparse

import gguf
import numpy as np

EMBED, FFN, BLOCKS, HEADS = 64, 128, 2, 4
CONTROL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
MERGES = ["t h", "Ġ t", "e r", "i n", "a n", "o n", "r e", "Ġ a"]
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def byte_tokens():
    """GPT-2's byte-to-unicode table: one printable character per byte."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = keep[:]
    extra = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + extra)
            extra += 1
    table = dict(zip(keep, chars))
    return [chr(table[b]) for b in range(256)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--projector", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    if args.projector:
        projector(args.out, rng)
        return

    tokens = byte_tokens() + [m.replace(" ", "") for m in MERGES] + CONTROL
    types = [gguf.TokenType.NORMAL] * (len(tokens) - len(CONTROL)) + [gguf.TokenType.CONTROL] * len(CONTROL)
    vocab = len(tokens)
    eos = tokens.index("<|im_end|>")

    w = gguf.GGUFWriter(args.out, "llama")
    w.add_name("dmr-batch tiny test model (seed %d)" % args.seed)
    w.add_context_length(args.ctx)
    w.add_embedding_length(EMBED)
    w.add_block_count(BLOCKS)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(HEADS)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(EMBED // HEADS)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_vocab_size(vocab)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(MERGES)
    w.add_bos_token_id(tokens.index("<|endoftext|>"))
    w.add_eos_token_id(eos)
    w.add_eot_token_id(eos)
    w.add_add_bos_token(False)
    w.add_chat_template(CHATML)

    def weights(*shape):
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    embedding = weights(vocab, EMBED)
    embedding[:, 0] = 1.0  # the constant dimension the output layer reads
    output = weights(vocab, EMBED) * 10
    printable = np.array([1.0 if 0x20 <= b < 0x7F else -1.0 for b in range(256)] + [-1.0] * (vocab - 256), np.float32)
    printable[eos] = -0.2  # ends now and then, so max_tokens is not always what stops an answer
    output[:, 0] = printable * 3

    w.add_tensor("token_embd.weight", embedding)
    w.add_tensor("output_norm.weight", np.ones(EMBED, np.float32))
    w.add_tensor("output.weight", output)
    for i in range(BLOCKS):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(EMBED, np.float32))
        for name in ("q", "k", "v", "output"):
            w.add_tensor(f"blk.{i}.attn_{name}.weight", weights(EMBED, EMBED))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(EMBED, np.float32))
        w.add_tensor(f"blk.{i}.ffn_gate.weight", weights(FFN, EMBED))
        w.add_tensor(f"blk.{i}.ffn_up.weight", weights(FFN, EMBED))
        w.add_tensor(f"blk.{i}.ffn_down.weight", weights(EMBED, FFN))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def projector(out, rng):
    """A Gemma 3 multimodal projector onto the tiny model's embedding, random weights."""
    vision, ffn, image, patch = 32, 64, 64, 4
    w = gguf.GGUFWriter(out, "clip")
    w.add_name("dmr-batch tiny test projector")
    w.add_clip_has_vision_encoder(True)
    w.add_clip_projector_type("gemma3")
    w.add_vision_image_size(image)
    w.add_vision_patch_size(patch)
    w.add_vision_embedding_length(vision)
    w.add_vision_feed_forward_length(ffn)
    w.add_vision_block_count(1)
    w.add_vision_head_count(2)
    w.add_vision_attention_layernorm_eps(1e-6)
    w.add_vision_projection_dim(EMBED)
    w.add_vision_image_mean([0.5, 0.5, 0.5])
    w.add_vision_image_std([0.5, 0.5, 0.5])
    w.add_vision_use_gelu(True)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)

    def weights(name, *shape):
        w.add_tensor(name, (rng.standard_normal(shape) * 0.02).astype(np.float32))

    def norm(name, n):
        w.add_tensor(name + ".weight", np.ones(n, np.float32))
        w.add_tensor(name + ".bias", np.zeros(n, np.float32))

    weights("v.patch_embd.weight", vision, 3, patch, patch)
    w.add_tensor("v.patch_embd.bias", np.zeros(vision, np.float32))
    weights("v.position_embd.weight", (image // patch) ** 2, vision)
    for name, rows, cols in (("attn_q", vision, vision), ("attn_k", vision, vision), ("attn_v", vision, vision),
                             ("attn_out", vision, vision), ("ffn_up", ffn, vision), ("ffn_down", vision, ffn)):
        weights(f"v.blk.0.{name}.weight", rows, cols)
        w.add_tensor(f"v.blk.0.{name}.bias", np.zeros(rows, np.float32))
    norm("v.blk.0.ln1", vision)
    norm("v.blk.0.ln2", vision)
    norm("v.post_ln", vision)
    weights("mm.input_projection.weight", vision, EMBED)
    w.add_tensor("mm.soft_emb_norm.weight", np.ones(vision, np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
