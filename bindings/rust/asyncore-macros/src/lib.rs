//! `#[asyncore::main]` and `#[asyncore::test]`: an `async fn` run to
//! completion on a new loop by `asyncore::run` (asyncio.run). Use them
//! through the `asyncore` crate, which re-exports them.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, ItemFn, ReturnType};

/// Makes `async fn main()` (returning `()` or a `Result<T, E>` whose `E`
/// takes `asyncore::Error`) the program's entry: its body runs as the main
/// task of a new loop, which is shut down after it (asyncio.run).
///
/// ```ignore
/// #[asyncore::main]
/// async fn main() -> asyncore::Result<()> {
///     asyncore::sleep(std::time::Duration::from_millis(10)).await?;
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(attr, item, false)
}

/// An `async fn` test run on a new loop; `#[asyncore::test(virtual_clock)]`
/// runs it on a virtual clock (sleeps cost no real time). It may return
/// `()` or a `Result`.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(attr, item, true)
}

fn expand(attr: TokenStream, item: TokenStream, is_test: bool) -> TokenStream {
    let mut virtual_clock = false;
    if !attr.is_empty() {
        let arg = parse_macro_input!(attr as syn::Ident);
        if arg == "virtual_clock" {
            virtual_clock = true;
        } else {
            return syn::Error::new(arg.span(), "the one option is `virtual_clock`").to_compile_error().into();
        }
    }
    let f = parse_macro_input!(item as ItemFn);
    if f.sig.asyncness.is_none() {
        return syn::Error::new_spanned(f.sig.fn_token, "the function must be `async fn`").to_compile_error().into();
    }
    if !f.sig.inputs.is_empty() {
        return syn::Error::new_spanned(&f.sig.inputs, "the function takes no arguments").to_compile_error().into();
    }
    let attrs = &f.attrs;
    let vis = &f.vis;
    let name = &f.sig.ident;
    let body = &f.block;
    let output = &f.sig.output;
    let ret = match output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, t) => quote!(#t),
    };
    let test_attr = if is_test { quote!(#[::core::prelude::v1::test]) } else { quote!() };
    quote! {
        #test_attr
        #(#attrs)*
        #vis fn #name() #output {
            async fn __asyncore_body() #output #body
            <#ret as ::asyncore::MainOutput>::run_main(#virtual_clock, __asyncore_body())
        }
    }
    .into()
}
