"""Start the moto server for Remediator's local stack.

Seven changes to stock moto 5.2.x, all documented in the project README. They
patch moto internals, so the launcher refuses any moto version they were not
written for (SUPPORTED_MOTO below) with a message that says what to install.

1. Step Functions: every execution after the first of a state machine fails with
   "cannot pickle '_thread.RLock' object", because StartExecution deep-copies the
   StateMachine together with its backend. We give StateMachine a __deepcopy__
   that keeps the backend shared and starts the clone with no executions.
2. Lambda: without Docker, moto does not run function code. Every invoke goes
   through LambdaSimpleBackend.invoke; we forward the payload to the Node
   function host (REMEDIATOR_FUNCTION_HOST) that runs our real handlers, and
   mark handler errors with x-amz-function-error so Retry/Catch see their name.
3. EventBridge: TestEventPattern answers with moto's matcher, and fields inside
   arrays of objects match as in EventBridge (test/emulator/event-patterns.test.ts).
4. Step Functions: the optimized `states:startExecution` integration passes the
   ASL's PascalCase parameters (StateMachineArn, Name, Input) to boto3 unchanged
   and fails with KeyError; we map them to the API's names and map the response
   back (ExecutionArn, StartDate), as the real service does.
5. DynamoDB: moto's server answers requests on several threads, and its
   conditional writes read and write an item without a lock, so two racing
   conditional updates can both succeed. DynamoDB applies writes to one item
   one at a time; we serialise moto's item writes with one lock, so the
   per-resource lease and the exactly-once decisions behave as on AWS.
6. Step Functions: every execution parses the state machine's definition again
   with the ANTLR grammar (about 0.15 s of CPU for ours, under the one GIL that
   serves every request), so a burst of a thousand executions spent minutes
   parsing while every other request waited. We parse each definition text
   once and build each execution's own program from that parse tree (the
   preprocessing step, a tenth of the cost), so executions share no program state.
7. Step Functions: SendTaskFailure drops its `cause` (the response handler passes
   only `error` to the backend), so a Catch saw no Cause. We pass both, as the
   service does: a rejected approval's Cause names who rejected it.

Usage: python3 local/moto_launcher.py --port PORT --function-host http://127.0.0.1:HOSTPORT
"""
import argparse
import copy
import threading
import datetime
import json
import os
import sys
import urllib.error
import urllib.request


# The moto releases these patches were written against (and tested with).
SUPPORTED_MOTO = ("5.2.",)


def check_moto_version():
    import moto

    if not moto.__version__.startswith(SUPPORTED_MOTO):
        sys.stderr.write(
            f"moto {moto.__version__} is not supported by local/moto_launcher.py (it patches moto internals written for "
            f"{', '.join(v + 'x' for v in SUPPORTED_MOTO)}): install it with  pip install 'moto[server]==5.2.1'\n"
        )
        sys.exit(3)


def patch_dynamodb_atomic_writes():
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()

    def serialised(method):
        def call(self, *args, **kwargs):
            with lock:
                return method(self, *args, **kwargs)

        return call

    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
        setattr(DynamoDBBackend, name, serialised(getattr(DynamoDBBackend, name)))


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


def patch_asl_parse_once():
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    parse = AmazonStateLanguageParser.parse
    trees = {}
    lock = threading.Lock()

    def parse_once(definition):
        tree = trees.get(definition)
        if tree is None:
            # A definition that does not parse raises here, every time, as before.
            program, tree = parse(definition)
            with lock:
                trees[definition] = tree
            return program, tree
        # The tree is only read: each execution gets components of its own.
        return Preprocessor().visit(tree), tree

    AmazonStateLanguageParser.parse = staticmethod(parse_once)


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


def patch_event_pattern_matching():
    """EventBridge TestEventPattern, and matching inside arrays of objects.

    moto 5.2.x answers TestEventPattern with an empty body (no `Result`), and its
    matcher flattens events through objects only, so a pattern on a field inside
    an array of objects (`detail.findings.ProductArn` in Security Hub events)
    never matches. EventBridge flattens arrays: such a field matches when the
    value of any element matches. We flatten the same way (which also fixes
    PutEvents delivery) and answer TestEventPattern with moto's own matcher.
    """
    import json

    from moto.events.models import EventPattern, InvalidEventPatternException
    from moto.events.responses import EventsHandler

    def _flatten_dict(node, prefix="", result=None):
        if result is None:
            result = {}

        def add(key, value):
            if key not in result:
                result[key] = value
                return
            current = result[key] if isinstance(result[key], list) else [result[key]]
            result[key] = current + (value if isinstance(value, list) else [value])

        def walk(value, key):
            if isinstance(value, dict) and value:
                for k, v in value.items():
                    walk(v, f"{key}.{k}" if key else k)
            elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
                scalars = [item for item in value if not isinstance(item, (dict, list))]
                for item in value:
                    if isinstance(item, (dict, list)):
                        walk(item, key)
                if scalars:
                    add(key, scalars)
            else:
                add(key, value)

        walk(node, prefix)
        return result

    EventPattern._flatten_dict = staticmethod(_flatten_dict)

    required = ("id", "account", "source", "time", "region", "detail-type")

    def test_event_pattern(self):
        try:
            pattern = EventPattern.load(self._get_param("EventPattern"))
        except InvalidEventPatternException as error:
            return self.error("InvalidEventPatternException", str(error))
        try:
            event = json.loads(self._get_param("Event") or "")
        except ValueError:
            return self.error("ValidationException", "Parameter Event is not valid.")
        missing = [field for field in required if not isinstance(event, dict) or field not in event]
        if missing:
            return self.error("ValidationException", f"Parameter Event is not valid: missing {', '.join(missing)}.")
        return self._create_response({"Result": pattern.matches_event(event)})

    EventsHandler.test_event_pattern = test_event_pattern


def patch_sfn_start_execution_integration():
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_module,
    )

    service = sfn_module.StateTaskServiceSfn
    original_normalise = service._normalise_parameters

    def lower_first(name):
        return name[:1].lower() + name[1:]

    def upper_first(name):
        return name[:1].upper() + name[1:]

    def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        original_normalise(self, parameters, boto_service_name, service_action_name)
        for key in list(parameters):
            if key[:1].isupper():
                parameters[lower_first(key)] = parameters.pop(key)

    def _normalise_response(self, response, boto_service_name=None, service_action_name=None):
        if isinstance(response, dict):
            for key in list(response):
                value = response.pop(key)
                if isinstance(value, datetime.datetime):
                    value = value.isoformat()
                response[upper_first(key) if key[:1].islower() else key] = value

    original_eval = service._eval_service_task

    def _eval_service_task(self, env, resource_runtime_part, normalised_parameters, state_credentials):
        _normalise_parameters(self, normalised_parameters)
        original_eval(self, env, resource_runtime_part, normalised_parameters, state_credentials)
        if env.stack:
            _normalise_response(self, env.stack[-1])

    service._eval_service_task = _eval_service_task


def patch_send_task_failure_cause():
    from moto.core.responses import EmptyResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def send_task_failure(self):
        self.stepfunction_backend.send_task_failure(self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause"))
        return EmptyResult()

    StepFunctionResponse.send_task_failure = send_task_failure


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--function-host", required=True)
    args = parser.parse_args()

    os.environ["MOTO_PORT"] = str(args.port)
    check_moto_version()
    patch_dynamodb_atomic_writes()
    patch_state_machine_deepcopy()
    patch_lambda_invoke(args.function_host.rstrip("/"))
    patch_event_pattern_matching()
    patch_sfn_start_execution_integration()
    patch_asl_parse_once()
    patch_send_task_failure_cause()

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
