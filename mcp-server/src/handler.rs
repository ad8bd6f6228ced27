//! The function shapes a handler may have, shared by tools, resources,
//! prompts and completions: with or without arguments, with or without the
//! [`Context`](crate::Context), sync or async.

/// Inference markers for the handler traits; never named by users.
#[doc(hidden)]
#[derive(Debug)]
pub struct Shape<K, A>(std::marker::PhantomData<fn() -> (K, A)>);

macro_rules! markers {
    ($($name:ident),*) => {$(
        #[doc(hidden)]
        #[derive(Debug)]
        pub enum $name {}
    )*};
}

markers!(
    SyncArgs,
    AsyncArgs,
    SyncCtxArgs,
    AsyncCtxArgs,
    SyncNone,
    AsyncNone,
    SyncCtx,
    AsyncCtx
);

/// Declares a handler trait whose output is bounded by `$out`, with its eight
/// shapes. The output bound is what keeps the sync and async shapes apart: a
/// future is never an output.
macro_rules! handler_trait {
    ($(#[$doc:meta])* $name:ident, $out:ident) => {
        $(#[$doc])*
        pub trait $name<S, M>: Send + Sync + 'static {
            /// The argument type.
            type Args: serde::de::DeserializeOwned + schemars::JsonSchema + Send + 'static;
            /// The return type.
            type Output: $out;
            /// Runs the handler.
            fn call(
                &self,
                ctx: $crate::Context<S>,
                args: Self::Args,
            ) -> futures::future::BoxFuture<'static, Self::Output>;
        }

        const _: () = {
            use std::future::Future;
            use futures::future::BoxFuture;
            use serde::de::DeserializeOwned;
            use schemars::JsonSchema;
            use $crate::Context;
            use $crate::handler::*;
            use $crate::schema::NoArgs;

            impl<S, F, A, R> $name<S, Shape<SyncArgs, A>> for F
            where
                F: Fn(A) -> R + Send + Sync + 'static,
                A: DeserializeOwned + JsonSchema + Send + 'static,
                R: $out,
            {
                type Args = A;
                type Output = R;
                fn call(&self, _ctx: Context<S>, args: A) -> BoxFuture<'static, R> {
                    let out = self(args);
                    Box::pin(async move { out })
                }
            }

            impl<S, F, A, Fut> $name<S, Shape<AsyncArgs, A>> for F
            where
                F: Fn(A) -> Fut + Send + Sync + 'static,
                A: DeserializeOwned + JsonSchema + Send + 'static,
                Fut: Future<Output: $out> + Send + 'static,
            {
                type Args = A;
                type Output = Fut::Output;
                fn call(&self, _ctx: Context<S>, args: A) -> BoxFuture<'static, Fut::Output> {
                    Box::pin(self(args))
                }
            }

            impl<S, F, A, R> $name<S, Shape<SyncCtxArgs, A>> for F
            where
                F: Fn(Context<S>, A) -> R + Send + Sync + 'static,
                A: DeserializeOwned + JsonSchema + Send + 'static,
                R: $out,
            {
                type Args = A;
                type Output = R;
                fn call(&self, ctx: Context<S>, args: A) -> BoxFuture<'static, R> {
                    let out = self(ctx, args);
                    Box::pin(async move { out })
                }
            }

            impl<S, F, A, Fut> $name<S, Shape<AsyncCtxArgs, A>> for F
            where
                F: Fn(Context<S>, A) -> Fut + Send + Sync + 'static,
                A: DeserializeOwned + JsonSchema + Send + 'static,
                Fut: Future<Output: $out> + Send + 'static,
            {
                type Args = A;
                type Output = Fut::Output;
                fn call(&self, ctx: Context<S>, args: A) -> BoxFuture<'static, Fut::Output> {
                    Box::pin(self(ctx, args))
                }
            }

            impl<S, F, R> $name<S, Shape<SyncNone, ()>> for F
            where
                F: Fn() -> R + Send + Sync + 'static,
                R: $out,
            {
                type Args = NoArgs;
                type Output = R;
                fn call(&self, _ctx: Context<S>, _args: NoArgs) -> BoxFuture<'static, R> {
                    let out = self();
                    Box::pin(async move { out })
                }
            }

            impl<S, F, Fut> $name<S, Shape<AsyncNone, ()>> for F
            where
                F: Fn() -> Fut + Send + Sync + 'static,
                Fut: Future<Output: $out> + Send + 'static,
            {
                type Args = NoArgs;
                type Output = Fut::Output;
                fn call(&self, _ctx: Context<S>, _args: NoArgs) -> BoxFuture<'static, Fut::Output> {
                    Box::pin(self())
                }
            }

            impl<S, F, R> $name<S, Shape<SyncCtx, ()>> for F
            where
                F: Fn(Context<S>) -> R + Send + Sync + 'static,
                R: $out,
            {
                type Args = NoArgs;
                type Output = R;
                fn call(&self, ctx: Context<S>, _args: NoArgs) -> BoxFuture<'static, R> {
                    let out = self(ctx);
                    Box::pin(async move { out })
                }
            }

            impl<S, F, Fut> $name<S, Shape<AsyncCtx, ()>> for F
            where
                F: Fn(Context<S>) -> Fut + Send + Sync + 'static,
                Fut: Future<Output: $out> + Send + 'static,
            {
                type Args = NoArgs;
                type Output = Fut::Output;
                fn call(&self, ctx: Context<S>, _args: NoArgs) -> BoxFuture<'static, Fut::Output> {
                    Box::pin(self(ctx))
                }
            }
        };
    };
}

pub(crate) use handler_trait;
