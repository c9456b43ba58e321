//! No C runtime start files: the binary provides `_start` itself.
fn main() {
    println!("cargo:rustc-link-arg-bins=-nostartfiles");
    // memcpy/memset/bcmp come from the C library on this host target (compiler_builtins only
    // provides them on bare-metal targets).
    println!("cargo:rustc-link-arg-bins=-lc");
}
