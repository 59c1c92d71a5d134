"""Start the moto server for Remediator's local stack.

Two changes to stock moto 5.2.x, both documented in the project README:

1. Step Functions: every execution after the first of a state machine fails with
   "cannot pickle '_thread.RLock' object", because StartExecution deep-copies the
   StateMachine together with its backend. We give StateMachine a __deepcopy__
   that keeps the backend shared and starts the clone with no executions.
2. Lambda: without Docker, moto does not run function code. Every invoke goes
   through LambdaSimpleBackend.invoke; we forward the payload to the Node
   function host (REMEDIATOR_FUNCTION_HOST) that runs our real handlers, and
   mark handler errors with x-amz-function-error so Retry/Catch see their name.

Usage: python3 local/moto_launcher.py --port PORT --function-host http://127.0.0.1:HOSTPORT
"""
import argparse
import copy
import json
import os
import sys
import urllib.error
import urllib.request


def patch_state_machine_deepcopy():
    from moto.stepfunctions.models import StateMachine

    def __deepcopy__(self, memo):
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            if key == "backend":
                clone.__dict__[key] = value
            elif key == "executions":
                clone.__dict__[key] = []
            else:
                clone.__dict__[key] = copy.deepcopy(value, memo)
        return clone

    StateMachine.__deepcopy__ = __deepcopy__


def patch_lambda_invoke(function_host):
    from moto.awslambda_simple.models import LambdaSimpleBackend

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        name = function_name.split(":function:")[-1].split(":")[0]
        data = body if isinstance(body, bytes) else (body or "{}").encode("utf-8")
        request = urllib.request.Request(
            f"{function_host}/invoke/{name}",
            data=data,
            method="POST",
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=900) as response:
                payload = response.read()
                function_error = response.headers.get("x-amz-function-error")
        except urllib.error.HTTPError as error:
            payload = error.read()
            function_error = error.headers.get("x-amz-function-error") or "Unhandled"
        except urllib.error.URLError as error:
            payload = json.dumps(
                {"errorType": "FunctionHostUnavailable", "errorMessage": str(error.reason)}
            ).encode("utf-8")
            function_error = "Unhandled"
        if function_error:
            response_headers["x-amz-function-error"] = function_error
        return payload

    LambdaSimpleBackend.invoke = invoke


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--function-host", required=True)
    args = parser.parse_args()

    os.environ["MOTO_PORT"] = str(args.port)
    patch_state_machine_deepcopy()
    patch_lambda_invoke(args.function_host.rstrip("/"))

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    print(f"moto ready on 127.0.0.1:{args.port}", flush=True)
    try:
        # Exit when the parent goes away (stdin closes) or on a signal.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
